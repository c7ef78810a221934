//! The OpenAPI 3.1 document of the JSON API, served at `/api/openapi.json`. A test checks
//! that every route the API serves is described here and the other way round.

use serde_json::{json, Value};

/// (method, path, summary, tag, whether it changes data)
pub const OPERATIONS: &[(&str, &str, &str, &str)] = &[
    ("post", "/api/v1/session", "登录：用户名和口令，返回 CSRF 令牌并设置会话 cookie / log in", "session"),
    ("delete", "/api/v1/session", "退出登录 / log out", "session"),
    ("get", "/api/v1/me", "当前用户、角色、可填报单位和 CSRF 令牌 / current user", "session"),
    ("get", "/api/v1/units", "可查看的单位、各年度最新版本及审核结论 / units with years and check status", "units"),
    ("post", "/api/v1/units", "登记或修改单位（管理员）/ create or update a unit (admin)", "units"),
    ("post", "/api/v1/units/{code}/imports", "上传输入文件（TOML、.xlsx 公开表或日记账 .csv，请求体为文件内容）生成新版本；.xlsx 和日记账并入该单位该年度最新的已存版本 / import a file (TOML, .xlsx, journal CSV) as a new version", "units"),
    ("get", "/api/v1/units/{code}/years/{year}", "单位年度：公开表、情况说明、图表、审核结果、绩效评分、下载地址 / a unit-year", "units"),
    ("get", "/api/v1/units/{code}/years/{year}/versions", "版本历史 / version history", "versions"),
    ("get", "/api/v1/units/{code}/years/{year}/download/{format}", "下载：docx、pdf、xlsx、html、md、json、checks、scores、toml / download", "units"),
    ("post", "/api/v1/units/{code}/years/{year}/consolidate", "由下级单位汇总生成新版本 / consolidate from sub-units", "units"),
    ("get", "/api/v1/units/{code}/compare", "同比对照（from、to 两个年度）/ year-on-year comparison", "units"),
    ("get", "/api/v1/versions/{id}", "一个版本及其输入文件 / one version with its input", "versions"),
    ("post", "/api/v1/versions/{id}/restore", "恢复为该版本（生成新版本）/ restore as a new version", "versions"),
    ("get", "/api/v1/diff", "两个版本的数据差异（from、to 版本号）/ diff of two versions", "versions"),
    ("get", "/api/v1/review", "审核看板：单位 × 未通过规则，可按年度、规则、单位筛选 / reviewer dashboard", "review"),
    ("post", "/api/v1/checks/batch", "批量审核（审核人、管理员），记入操作日志 / batch check", "review"),
    ("post", "/api/v1/audit", "核对已公开报告（审核人、管理员）：multipart 上传一个或多个已公开的决算报告（.pdf、.docx、.txt、.md），返回与 juesuan audit 核对多个文件相同的汇总，记入操作日志 / audit published reports", "review"),
    ("get", "/api/v1/users", "用户列表（管理员）/ users (admin)", "admin"),
    ("post", "/api/v1/users", "创建用户（管理员）/ create a user (admin)", "admin"),
    ("patch", "/api/v1/users/{id}", "更改角色、停用或启用用户（管理员）/ change role, disable or enable (admin)", "admin"),
    ("post", "/api/v1/users/{id}/password", "设置口令（本人须提供当前口令；管理员重设他人口令后该用户须在下次登录时修改）/ set a password", "admin"),
    ("post", "/api/v1/users/{id}/unlock", "解除登录锁定（管理员）/ unlock an account (admin)", "admin"),
    ("post", "/api/v1/users/{id}/grants", "授权填报单位（管理员）/ grant a unit (admin)", "admin"),
    ("delete", "/api/v1/users/{id}/grants/{unit}", "撤销授权（管理员）/ revoke a grant (admin)", "admin"),
    ("get", "/api/v1/events", "操作日志（管理员）/ audit log (admin)", "admin"),
    ("get", "/api/v1/plans", "可查看的转移支付分配计划（各计划的最新版本）/ allocation plans", "plans"),
    ("post", "/api/v1/plans", "上传分配计划（multipart：unit、plan、kpi、note），先完成分配，有错误时不保存（400，列出 A001–A009）；成功时保存为该计划的新版本 / store an allocation plan", "plans"),
    ("get", "/api/v1/plans/{id}", "一个分配计划版本：分配结果（名次、得分、各分配行、计算过程、自评表数值）、全部版本；what_if 给出假设分析 / one plan version with its allocation", "plans"),
    ("get", "/api/v1/plans/{id}/files/{which}", "下载分配计划版本的文件：plan（计划 .toml）或 kpi（考核数据）/ a plan version's files", "plans"),
];

fn param(name: &str, location: &str, schema: Value, required: bool, description: &str) -> Value {
    json!({ "name": name, "in": location, "required": required, "schema": schema, "description": description })
}

/// The parameters of one operation: path segments, query parameters, the CSRF header.
fn parameters(method: &str, path: &str) -> Vec<Value> {
    let mut p = path_parameters(path);
    p.extend(query_parameters(path));
    if method != "get" && path != "/api/v1/session" || (method == "delete") {
        p.push(param(
            "X-CSRF-Token",
            "header",
            json!({"type": "string"}),
            true,
            "登录时返回的 csrf_token",
        ));
    }
    p
}

/// A query parameter.
fn query(name: &str, schema: Value, required: bool, description: &str) -> Value {
    param(name, "query", schema, required, description)
}

/// One required parameter per `{name}` segment of the path.
fn path_parameters(path: &str) -> Vec<Value> {
    let mut p = Vec::new();
    for seg in path.split('/') {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let (schema, desc) = match name {
                "year" => (json!({"type": "integer"}), "年度"),
                "id" if path.starts_with("/api/v1/plans") => {
                    (json!({"type": "integer"}), "分配计划的版本号")
                }
                "id" => (json!({"type": "integer"}), "版本号或用户编号"),
                "which" => (json!({"type": "string", "enum": ["plan", "kpi"]}), "文件"),
                "format" => (
                    json!({"type": "string", "enum": ["docx", "pdf", "xlsx", "html", "md", "json", "checks", "scores", "toml"]}),
                    "下载格式",
                ),
                _ => (json!({"type": "string"}), "单位编码"),
            };
            p.push(param(name, "path", schema, true, desc));
        }
    }
    p
}

/// The query parameters of the endpoints that take any, by path.
fn query_parameters(path: &str) -> Vec<Value> {
    let mut p = Vec::new();
    if path.ends_with("/years/{year}") || path.ends_with("/download/{format}") {
        p.push(query(
            "version",
            json!({"type": "integer"}),
            false,
            "版本号（省略为最新版本）",
        ));
    }
    if path.ends_with("/imports") {
        p.extend(import_parameters());
    }
    if path.ends_with("/compare") {
        p.push(query("from", json!({"type": "integer"}), true, "较早年度"));
        p.push(query("to", json!({"type": "integer"}), true, "较晚年度"));
    }
    if path == "/api/v1/diff" {
        p.push(query("from", json!({"type": "integer"}), true, "原版本号"));
        p.push(query("to", json!({"type": "integer"}), true, "新版本号"));
    }
    if path == "/api/v1/review" {
        p.push(query("year", json!({"type": "integer"}), false, "年度"));
        p.push(query(
            "rule",
            json!({"type": "string"}),
            false,
            "只看未通过该规则的",
        ));
        p.push(query(
            "q",
            json!({"type": "string"}),
            false,
            "单位编码或名称包含",
        ));
        p.push(query(
            "failing",
            json!({"type": "boolean"}),
            false,
            "只看有错误的",
        ));
        for (name, what) in [
            ("region", "地区（输入文件 [unit] region）"),
            ("department", "主管部门（上级单位编码）"),
            ("status", "结论：通过、有警告、未通过、无法审核"),
        ] {
            p.push(query(name, json!({"type": "string"}), false, what));
        }
    }
    if path == "/api/v1/audit" {
        p.push(query(
            "format",
            json!({"type": "string", "enum": ["json", "csv", "text", "html"], "default": "json"}),
            false,
            "汇总的格式（也可作为表单字段 format）：json、csv（UTF-8 BOM）、text、html",
        ));
    }
    if path == "/api/v1/plans/{id}" {
        p.push(query(
            "what_if",
            json!({"type": "array", "items": {"type": "string"}, "maxItems": 8}),
            false,
            "假设分析的改动（可重复，依次应用），如 registration.weight=0.4、pool=80、天府科技云考核奖励.n=6（docs/allocation.md 第5节）",
        ));
    }
    if path == "/api/v1/events" {
        p.push(query(
            "limit",
            json!({"type": "integer", "maximum": 1000}),
            false,
            "条数",
        ));
    }
    p
}

/// The query parameters of an import: its note, and how to read a journal (日记账).
fn import_parameters() -> Vec<Value> {
    vec![
        query("note", json!({"type": "string"}), false, "说明"),
        query(
            "filename",
            json!({"type": "string"}),
            false,
            "原文件名（记入来源）；以 .csv 结尾时按日记账导入（不带文件名时按内容识别）",
        ),
        query(
            "columns",
            json!({"type": "string", "enum": ["juesuan", "yonyou", "inspur"], "default": "juesuan"}),
            false,
            "日记账的列映射（内置名称，见 docs/journal.md 第3节）",
        ),
        query(
            "encoding",
            json!({"type": "string", "enum": ["utf-8", "gbk"]}),
            false,
            "日记账的文本编码，覆盖列映射中的设置",
        ),
        query(
            "kind",
            json!({"type": "string", "enum": ["行政", "参公", "事业"], "default": "行政"}),
            false,
            "日记账导入且该单位该年度没有已存版本时的单位性质（其余各项写为占位数）",
        ),
        query(
            "keep_prior",
            json!({"type": "boolean", "default": false}),
            false,
            "口径调整：输入文件或 .xlsx 中的上年数与已存的上一年度决算数不一致时，仍按文件保存（否则 409）",
        ),
    ]
}

fn request_body(method: &str, path: &str) -> Option<Value> {
    let obj = |props: Value, required: &[&str]| {
        json!({ "required": true, "content": { "application/json": { "schema": {
            "type": "object", "properties": props, "required": required } } } })
    };
    match (method, path) {
        ("post", "/api/v1/session") => Some(obj(
            json!({"username": {"type": "string"}, "password": {"type": "string"}}),
            &["username", "password"],
        )),
        ("post", "/api/v1/units") => Some(obj(
            json!({"code": {"type": "string"}, "name": {"type": "string"}, "parent": {"type": "string"}}),
            &["code", "name"],
        )),
        ("post", "/api/v1/units/{code}/imports") => Some(json!({ "required": true, "content": {
            "application/toml": { "schema": { "type": "string" } },
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { "schema": { "type": "string", "format": "binary" } },
            "text/csv": { "schema": { "type": "string", "format": "binary" },
                "description": "预算会计日记账（UTF-8 或 GBK）：汇总为决算数，并入最新的已存版本；有错的行逐条列出（文件:行），不保存任何数据" } } })),
        ("post", "/api/v1/versions/{id}/restore") => Some(json!({ "required": false, "content": {
            "application/json": { "schema": { "type": "object", "properties": { "note": { "type": "string" } } } } } })),
        ("post", "/api/v1/checks/batch") => Some(json!({ "required": false, "content": {
            "application/json": { "schema": { "type": "object", "properties": {
                "year": { "type": "integer" }, "rule": { "type": "string" }, "q": { "type": "string" }, "failing": { "type": "boolean" } } } } } })),
        ("post", "/api/v1/audit") => Some(json!({ "required": true, "content": {
            "multipart/form-data": { "schema": { "type": "object", "properties": {
                "files": { "type": "array", "items": { "type": "string", "format": "binary" },
                    "description": "已公开的报告，每个文件一个字段（带文件名，按扩展名读取）；每批不超过50个文件、合计不超过50 MB（服务器设置）" },
                "format": { "type": "string", "enum": ["json", "csv", "text", "html"] } },
                "required": ["files"] } } } })),
        ("post", "/api/v1/plans") => Some(json!({ "required": true, "content": {
            "multipart/form-data": { "schema": { "type": "object", "properties": {
                "unit": { "type": "string", "description": "分配单位编码（须有该单位的填报权限）" },
                "plan": { "type": "string", "format": "binary", "description": "分配计划（.toml，UTF-8，docs/allocation.md）" },
                "kpi": { "type": "string", "format": "binary", "description": "考核数据（.csv 或 .xlsx）；计划的 [kpi] 写了 file 时必填" },
                "note": { "type": "string", "description": "版本说明" } },
                "required": ["unit", "plan"] } } } })),
        ("post", "/api/v1/users") => Some(obj(
            json!({"name": {"type": "string"}, "role": {"type": "string", "enum": ["preparer", "reviewer", "admin"]}, "password": {"type": "string", "minLength": 10}}),
            &["name", "role", "password"],
        )),
        ("post", "/api/v1/users/{id}/password") => Some(obj(
            json!({"password": {"type": "string", "minLength": 10, "description": "至少10个字符、至少两类字符、不含用户名"},
                   "current_password": {"type": "string", "description": "修改本人口令时必填"}}),
            &["password"],
        )),
        ("patch", "/api/v1/users/{id}") => Some(obj(
            json!({"role": {"type": "string", "enum": ["preparer", "reviewer", "admin"]}, "disabled": {"type": "boolean"}}),
            &[],
        )),
        ("post", "/api/v1/users/{id}/grants") => Some(obj(
            json!({"unit_code": {"type": "string"}}),
            &["unit_code"],
        )),
        _ => None,
    }
}

/// The document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, tag) in OPERATIONS {
        let ok = match (*method, *path) {
            ("post", p)
                if p.ends_with("/imports")
                    || p.ends_with("/restore")
                    || p.ends_with("/consolidate")
                    || p == "/api/v1/users" =>
            {
                "201"
            }
            ("delete", _) | ("patch", _) => "204",
            ("post", p)
                if p == "/api/v1/units"
                    || p.ends_with("/password")
                    || p.ends_with("/grants")
                    || p.ends_with("/unlock") =>
            {
                "204"
            }
            _ => "200",
        };
        let mut responses = json!({
            ok: { "description": "成功 / success" },
            "400": { "$ref": "#/components/responses/Error" },
            "401": { "$ref": "#/components/responses/Error" },
            "403": { "$ref": "#/components/responses/Error" },
            "404": { "$ref": "#/components/responses/Error" },
        });
        if *path == "/api/v1/session" && *method == "post" {
            responses["429"] = json!({ "$ref": "#/components/responses/Error" });
        }
        if *path == "/api/v1/audit" {
            responses["413"] =
                json!({ "description": "文件过多或合计超过上限（默认50个、50 MB）：请分批上传" });
        }
        if path.ends_with("/imports") {
            responses["409"] = json!({ "$ref": "#/components/responses/Error" });
            responses["413"] = json!({ "description": "文件超过上传大小限制" });
        }
        let mut op = json!({
            "summary": summary,
            "tags": [tag],
            "operationId": format!("{method}{}", path.replace(['/', '{', '}'], "_")),
            "parameters": parameters(method, path),
            "responses": responses,
        });
        if let Some(b) = request_body(method, path) {
            op["requestBody"] = b;
        }
        if *path == "/api/v1/session" && *method == "post" {
            op["security"] = json!([]);
        }
        paths
            .entry(path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("object")
            .insert(method.to_string(), op);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "juesuan 决算 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "部门决算公开的网页应用接口：与网页功能一一对应。先 POST /api/v1/session 登录（会话 cookie），之后每个修改数据的请求带 X-CSRF-Token 头。错误统一为 {\"error\": 说明, \"details\": [逐条错误]}。"
        },
        "servers": [{ "url": "/" }],
        "components": {
            "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": "juesuan_session" } },
            "responses": { "Error": { "description": "错误", "content": { "application/json": { "schema": {
                "type": "object", "properties": { "error": { "type": "string" }, "details": { "type": "array", "items": { "type": "string" } } },
                "required": ["error", "details"] } } } } }
        },
        "security": [{ "session": [] }],
        "paths": paths,
    })
}
