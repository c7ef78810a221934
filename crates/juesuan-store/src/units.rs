//! Units (单位): registration, names and the superior unit each reports to.

use super::*;

impl Store {
    /// Create a unit or change its name and superior unit.
    pub async fn upsert_unit(
        &self,
        code: &str,
        name: &str,
        parent: Option<&str>,
        actor: &str,
    ) -> Result<(), StoreError> {
        let code = code.trim();
        if code.is_empty() || name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "单位编码和名称不能为空：请填写单位编码（如 511400001）和全称".into(),
            ));
        }
        valid_unit_code(code)?;
        if let Some(p) = parent {
            if p == code {
                return Err(StoreError::Invalid(format!(
                    "单位“{code}”不能是自己的上级单位"
                )));
            }
            if self.unit(p).await?.is_none() {
                return Err(StoreError::UnknownUnit(p.to_string()));
            }
            // No cycles: the new parent may not be below this unit.
            let mut at = Some(p.to_string());
            while let Some(c) = at {
                if c == code {
                    return Err(StoreError::Invalid(format!(
                        "单位“{p}”是“{code}”的下级单位，不能再作其上级单位"
                    )));
                }
                at = self.unit(&c).await?.and_then(|u| u.parent);
            }
        }
        let mut tx = self.pool.begin().await?;
        let existed = sqlx::query("SELECT code FROM units WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if existed {
            sqlx::query("UPDATE units SET name = $1, parent_code = $2 WHERE code = $3")
                .bind(name)
                .bind(parent)
                .bind(code)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO units (code, name, parent_code, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(code)
            .bind(name)
            .bind(parent)
            .bind(time::now_rfc3339())
            .execute(&mut *tx)
            .await?;
        }
        let detail = match parent {
            Some(p) => format!("{code} {name}（上级单位 {p}）"),
            None => format!("{code} {name}"),
        };
        log_in(
            &mut tx,
            Some(actor),
            if existed {
                "unit.update"
            } else {
                "unit.create"
            },
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every unit, by code.
    pub async fn units(&self) -> Result<Vec<UnitRow>, StoreError> {
        let rows = sqlx::query("SELECT code, name, parent_code FROM units ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(unit_row).collect()
    }

    pub async fn unit(&self, code: &str) -> Result<Option<UnitRow>, StoreError> {
        let row = sqlx::query("SELECT code, name, parent_code FROM units WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(unit_row).transpose()
    }

    /// The direct sub-units (下级单位) of `code`, by code.
    pub async fn children(&self, code: &str) -> Result<Vec<UnitRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, name, parent_code FROM units WHERE parent_code = $1 ORDER BY code",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(unit_row).collect()
    }
}
