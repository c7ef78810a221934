//! The audit kinds in the one shape of codes ([`juesuan_core::Coded`]): a kind's code is its
//! serialized name (`total_of_parts`), the name the JSON findings and the fixture lists
//! already use, so no second identity is invented.

use crate::model::Kind;
use juesuan_core::{Coded, Family, Severity};

impl Kind {
    /// Every kind, for the registry of codes (`juesuan explain`, the docs guard).
    pub const ALL: [Kind; 25] = [
        Kind::TotalOfParts,
        Kind::Share,
        Kind::ChangeAmount,
        Kind::ChangeRate,
        Kind::Direction,
        Kind::Completion,
        Kind::SameFigure,
        Kind::ClassOfItems,
        Kind::TextAgainstTable,
        Kind::Counts,
        Kind::PointChange,
        Kind::TemplateResidue,
        Kind::TableTotal,
        Kind::TableHierarchy,
        Kind::TableColumns,
        Kind::TableBalance,
        Kind::TableAcross,
        Kind::Arithmetic,
        Kind::Comparison,
        Kind::TableEqual,
        Kind::TableCodeName,
        Kind::TableListed,
        Kind::TableRule,
        Kind::TableEmptyNote,
        Kind::UnitCost,
    ];
}

impl Coded for Kind {
    const FAMILY: Family = Family::Audit;
    const ALL: &'static [Self] = &Kind::ALL;

    fn code(self) -> &'static str {
        match self {
            Kind::TotalOfParts => "total_of_parts",
            Kind::Share => "share",
            Kind::ChangeAmount => "change_amount",
            Kind::ChangeRate => "change_rate",
            Kind::Direction => "direction",
            Kind::Completion => "completion",
            Kind::SameFigure => "same_figure",
            Kind::ClassOfItems => "class_of_items",
            Kind::TextAgainstTable => "text_against_table",
            Kind::Counts => "counts",
            Kind::PointChange => "point_change",
            Kind::TemplateResidue => "template_residue",
            Kind::TableTotal => "table_total",
            Kind::TableHierarchy => "table_hierarchy",
            Kind::TableColumns => "table_columns",
            Kind::TableBalance => "table_balance",
            Kind::TableAcross => "table_across",
            Kind::Arithmetic => "arithmetic",
            Kind::Comparison => "comparison",
            Kind::TableEqual => "table_equal",
            Kind::TableCodeName => "table_code_name",
            Kind::TableListed => "table_listed",
            Kind::TableRule => "table_rule",
            Kind::TableEmptyNote => "table_empty_note",
            Kind::UnitCost => "unit_cost",
        }
    }

    /// A failed check of any kind is an error in the published report; rounding notes and
    /// unreadable sentences are outcomes, not kinds.
    fn severity(self) -> Severity {
        Severity::Error
    }

    fn title(self) -> &'static str {
        self.label()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::{value, Deserialize, IntoDeserializer};

    fn named(code: &str) -> Result<Kind, value::Error> {
        Kind::deserialize(IntoDeserializer::<value::Error>::into_deserializer(code))
    }

    /// The code is the serialized name, so JSON findings, fixture lists and `explain` agree;
    /// and `ALL` lists every kind once.
    #[test]
    fn the_code_is_the_serialized_name() {
        let mut seen = std::collections::BTreeSet::new();
        for k in Kind::ALL {
            assert_eq!(named(k.code()).unwrap(), k, "{}", k.code());
            assert!(seen.insert(k.code()), "{} twice", k.code());
        }
        assert!(named("TotalOfParts").is_err());
    }
}
