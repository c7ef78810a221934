#!/usr/bin/env python3
"""Writes the committed seeds of the targets added for issue #18 (fuzz/corpus/<target>/) and
the dictionaries (fuzz/dict/<target>.dict). Run from the repository root; deterministic, so a
rerun leaves git clean. Seeds of the older targets are hand-picked files (see README.md)."""
import glob, os, random, re, struct

ROOT = os.getcwd()
EX = open("examples/liangshan-kexie-2021/input.toml", encoding="utf-8").read()
CORPUS = "fuzz/corpus"

def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

EXTREMES = ["9223372036854775807", "92233720368547.75", "-0.00", "1e308", "0.001",
            "9223372036854.78", "-9223372036854775808", "1_000_000", "0x10", "nan", "inf"]
CJK = "、，。；：（）“”《》【】—…·"
ODD = "\u200b\u200d\ufeff\u202e\u0301ǅ𠀀𝔸\U0001F600"

def replace_first_amount(text, section, value):
    """The first `"code" = amount` line after [section] with its amount replaced."""
    i = text.index("[" + section + "]")
    m = re.compile(r'^("\d+" = )([0-9.]+)', re.M).search(text, i)
    return text[:m.start(2)] + value + text[m.end(2):]

def without_evaluation(text):
    i = text.find("\n[evaluation")
    j = text.rfind("\n#", 0, i) if i >= 0 else -1
    return text if i < 0 else text[:i] + "\n"

def evaluation_part(text):
    i = text.find("[evaluation")
    return text[i:]

# ---------------------------------------------------------------- pipeline
put("pipeline", "example-input.toml", EX)
put("pipeline", "example-sichuan-template.toml", EX.replace('template = "national"', 'template = "sichuan"', 1))
put("pipeline", "example-no-evaluation.toml", without_evaluation(EX))
for i, v in enumerate(["92233720368547.75", "9223372036854.78", "1e308", "-0.00", "0.001"]):
    put("pipeline", f"extreme-amount-{i}.toml", replace_first_amount(without_evaluation(EX), "income.general_budget", v))
put("pipeline", "yuan-unit.toml", without_evaluation(EX).replace('amount_unit = "万元"', 'amount_unit = "元"', 1))
put("pipeline", "yi-unit.toml", without_evaluation(EX).replace('amount_unit = "万元"', 'amount_unit = "亿元"', 1))
put("pipeline", "long-labels-odd-unicode.toml",
    without_evaluation(EX).replace('name = "凉山州科学技术协会"', 'name = "' + ("凉山州科学技术协会" + CJK + ODD) * 200 + '"', 1))
put("pipeline", "cjk-punctuation-reasons.toml",
    without_evaluation(EX).replace('grand_total_change = "', 'grand_total_change = "' + CJK * 20 + "*_`<script>|", 1))
for f in sorted(glob.glob("crates/juesuan-cli/tests/errors/E03*.toml"))[:4]:
    put("pipeline", "cli-" + os.path.basename(f), open(f, "rb").read())

# ---------------------------------------------------------------- evaluation
ev = evaluation_part(EX)
put("evaluation", "example-evaluation.toml", ev)
doc = open("docs/evaluation.md", encoding="utf-8").read()
for i, block in enumerate(re.findall(r"```toml\n(.*?)```", doc, re.S)):
    if "[evaluation" in block or "[[evaluation" in block:
        put("evaluation", f"docs-evaluation-{i}.toml", block)
put("evaluation", "ratios.txt", "\n".join(["1/3", "-0.00", "92233720368547.75", "9223372036854775807",
    "1e308", "170141183460469231731687303715884105727", "0.0000000000000000001", "3/0", "１２", "50%"]))
put("evaluation", "extreme-values.toml", re.sub(r"(= )(\d+(\.\d+)?)(\s*(#.*)?)$", r"\g<1>92233720368547.75\4", ev, count=6, flags=re.M))

# ---------------------------------------------------------------- upload: [len][name][file]
def upload(name, body):
    n = name.encode("utf-8")
    assert len(n) < 64
    return bytes([len(n)]) + n + body
tiny = open("fuzz/corpus/xlsx_reader/tiny.xlsx", "rb").read()
put("upload", "input-toml.bin", upload("input.toml", without_evaluation(EX).encode()))
put("upload", "input-bom-no-name.bin", upload("", b"\xef\xbb\xbf" + without_evaluation(EX).encode()))
put("upload", "workbook-official.bin", upload("公开表.xlsx", open("fuzz/corpus/xlsx_reader/official-one-sheet.xlsx", "rb").read()))
put("upload", "workbook-tiny-no-name.bin", upload("x", tiny))
put("upload", "journal-csv.bin", upload("日记账.csv", open("fuzz/corpus/journal_csv/good", "rb").read()[1:]))
put("upload", "journal-by-header.bin", upload("upload", open("fuzz/corpus/journal_csv/example", "rb").read()[1:]))
put("upload", "gbk-text.bin", upload("a/b\\..\\c\n.toml", "年度 = 2021".encode("gbk")))
put("upload", "zip-declaring-a-bomb.bin", upload("bomb.xlsx",
    b"PK\x05\x06\0\0\0\0\x01\0\x01\0\x2e\0\0\0\0\0\0\0\0\0"))

# ---------------------------------------------------------------- operator_files
for f in ["data/rules/national-2021.toml", "data/rules/sichuan-2021.toml", "data/tables/national-2021.toml",
          "data/journal/columns-juesuan.toml", "data/journal/columns-yonyou.toml", "data/journal/accounts-2019.toml",
          "data/indicators/sichuan-department-2021.toml", "data/project-rules/national-2021.toml",
          "data/glossary/default-2021.toml", "data/catalogues/economic-2021.toml"]:
    put("operator_files", f.replace("data/", "").replace("/", "-"), open(f, "rb").read())
put("operator_files", "profile.toml", '[rules]\n"T1-01" = "off"\n"T2-01" = "warning"\n"X-99" = "error"\n')
put("operator_files", "catalogue-function-extra.toml",
    'kind = "function"\nyear = 2021\ntitle = "补充功能分类（' + CJK + '）"\n\n[codes]\n"2019999" = "' + "其他" * 300 + ODD + '"\n"201" = "一般公共服务支出"\n')
put("operator_files", "rules-extends.toml",
    'name = "local"\ntitle = "本地审核公式"\nyear = 2021\nextends = "national"\n\n[[rule]]\nid = "L-01"\ntitle = "合计"\nseverity = "warning"\n')
put("operator_files", "rules-extends-self.toml", 'name = "loop"\ntitle = "循环"\nyear = 2021\nextends = "loop"\n')

# ---------------------------------------------------------------- docx_structured: arbitrary bytes
rng = random.Random(18)
for i, n in enumerate([64, 256, 1024, 4096, 16384]):
    put("docx_structured", f"random-{i}.bin", bytes(rng.randrange(256) for _ in range(n)))
put("docx_structured", "cjk-text.bin", b"\x01\x01\x00\x00\x04" + ("本年支出合计686.54万元，占96.19%（" + CJK + "）").encode() * 8)

# ---------------------------------------------------------------- dictionaries
def dict_file(target, tokens):
    seen, lines = set(), []
    for t in tokens:
        if t in seen or not t:
            continue
        seen.add(t)
        esc = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "".join(f"\\x{b:02x}" for b in c.encode()) for c in t)
        lines.append(f'"{esc}"')
    os.makedirs("fuzz/dict", exist_ok=True)
    with open(f"fuzz/dict/{target}.dict", "w") as f:
        f.write(f"# libFuzzer dictionary for {target} (written by fuzz/seeds.py)\n" + "\n".join(lines) + "\n")

def toml_tokens(*texts):
    out = []
    for t in texts:
        out += re.findall(r"^\s*\[\[?[^\]\n]+\]\]?", t, re.M)
        out += [k + " = " for k in re.findall(r'^\s*"?([A-Za-z0-9_\-]+)"?\s*=', t, re.M)]
        out += re.findall(r'"([^"\n]{1,16})"', t)
    return [s.strip() if s.strip().startswith("[") else s for s in out]

common = EXTREMES + list(CJK) + [ODD, "\n", '"""', "'''", "#", "=", "[", "]", "{", "}", "万元", "元", "亿元", "true", "false"]
dict_file("pipeline", common + toml_tokens(EX))
dict_file("input_toml", common + toml_tokens(EX))
dict_file("evaluation", common + toml_tokens(ev, *re.findall(r"```toml\n(.*?)```", doc, re.S)) + ["/", "%", ".", "-"])
ops = [open(f, encoding="utf-8").read() for f in glob.glob("data/*/*.toml") if "function-" not in f]
dict_file("operator_files", common + toml_tokens(*ops) + ["extends = ", "kind = ", '"off"', '"warning"', '"error"', '"info"'])
dict_file("rules_and_systems", common + toml_tokens(open("data/rules/national-2021.toml").read(), open("data/indicators/sichuan-department-2021.toml").read()) + ["+", "-", "*", "/", "(", ")", "min(", "max(", "if(", ">=", "<=", "==", "!=", "&&", "||"])
dict_file("upload", common + toml_tokens(EX) + ["PK\x03\x04", "PK\x01\x02", "PK\x05\x06", ".xlsx", ".csv", ".toml", ".XLSX", "/", "\\", "\xef\xbb\xbf", ",", "\t", ";"])
dict_file("audit_text", EXTREMES + list(CJK) + ["万元", "元", "亿元", "%", "合计", "占", "增加", "减少", "增长", "下降", "同比", "完成年初预算", "其中", "支出决算", "收入决算", "为", "比上年", "（", "）", "\n", "0.00"])
dict_file("journal_csv", EXTREMES + list(CJK) + ["日期", "凭证号", "科目", "功能分类", "经济分类", "资金来源", "支出性质", "项目", "借方", "贷方", "金额", "单位", "期初", "opening", ",", "\r\n", "\"", "2021-01-01", "2021/12/31", "1,000.00", "(100.00)", "-"])
