#!/usr/bin/env python3
"""Write examples/liangshan-kexie-2021/journal.csv: a budget-accounting journal (预算会计凭证)
whose postings sum exactly to the actuals of examples/liangshan-kexie-2021/input.toml.

Realistic on purpose: an opening voucher (期初) for the 70万元 carried over from 2020,
monthly allotments (Dr 8001 资金结存 / Cr 6001 财政拨款预算收入), payments (Dr 7101 行政支出 or
7201 事业支出 / Cr 8001) with the parallel financial-accounting entries (Dr 5001 / Cr 1011),
direct payments (Dr 7101 / Cr 6001), one red-ink reversal (红字冲销), summaries with commas
(quoted), and the year-end closing vouchers (结账凭证) that juesuan must skip.
Amounts in 元 with 2 decimals, integers of 分 throughout: no floating point.

    python3 bench/journal/make_example_journal.py   # from the workspace root
"""
import csv
import io
import os

WAN = 1_000_000  # 分 per 万元


def fen(wan_text):
    """Exact 分 from a 万元 decimal text ("233.934")."""
    whole, _, frac = wan_text.partition(".")
    frac = (frac + "000000")[:6]
    return int(whole) * WAN + int(frac)


def yuan(f):
    sign = "-" if f < 0 else ""
    f = abs(f)
    return f"{sign}{f // 100}.{f % 100:02d}"


def split(total, parts):
    """total 分 in `parts` near-equal whole-分 pieces (the last takes the remainder)."""
    base = total // parts
    return [base] * (parts - 1) + [total - base * (parts - 1)]


# 基本支出 (一般公共预算财政拨款): function → [(economic, 万元)] — the example's reconstruction.
BASIC = {
    "2060701": [("30101", "181.044"), ("30217", "0.94"), ("30231", "10.03"), ("30299", "41.92")],
    "2080501": [("30302", "98.214")],
    "2080502": [("30302", "6.11")],
    "2080505": [("30108", "17.82")],
    "2080506": [("30109", "8.88")],
    "2101101": [("30110", "11.11")],
    "2101102": [("30110", "2.49")],
    "2101103": [("30111", "6.84")],
    "2101199": [("30112", "2.09")],
    "2210201": [("30113", "18.68")],
}
# 项目支出: function → (project, account, [(economic, 万元)]). No 三公 economic codes here.
PROJECT = {
    "2060702": ("科普宣传活动业务经费", "7101", [("30202", "4.20"), ("30216", "7.80")]),
    "2060703": ("青少年科技活动", "7201", [("30215", "1.88"), ("30218", "0.12"), ("30227", "1.00")]),
    "2060704": ("学术交流活动", "7101", [("30215", "5.00"), ("30226", "7.00")]),
    "2060799": ("天府科技云服务", "7101", [("30227", "57.50"), ("30226", "12.50"), ("30216", "70.00"), ("30299", "81.80")]),
    "2069999": ("老科协及科学素质调查", "7101", [("30211", "11.57"), ("30202", "20.00")]),
}
# 2060703 青少年科技活动 also has a 委托业务费 over-booked by 0.50万元 in November and reversed
# in red ink (红字冲销) in December: net 3.00.
PROJECT_TOTAL = {"2060702": "12", "2060703": "3", "2060704": "12", "2060799": "221.80", "2069999": "31.57"}
# 本年收入 by function: basic functions receive what they spend; project functions their
# spending, except 2060799 whose 221.80 includes the 70.00 carried over (income 151.80).
INCOME = {f: sum(fen(a) for _, a in rows) for f, rows in BASIC.items()}
INCOME.update({f: fen(t) for f, t in PROJECT_TOTAL.items()})
INCOME["2060799"] -= fen("70")

HEADER = ["日期", "凭证号", "摘要", "科目", "功能分类", "经济分类", "资金来源", "支出性质", "项目", "借方", "贷方"]
GB = "一般公共预算财政拨款"
rows = []


def post(date, voucher, memo, account, function="", economic="", source="", nature="", project="", debit=0, credit=0):
    rows.append([date, voucher, memo, account, function, economic, source, nature, project,
                 yuan(debit) if debit else "", yuan(credit) if credit else ""])


# 期初：2020年结转的天府科技云项目资金 70万元.
post("2021-01-01", "期初", "年初余额：上年财政拨款结转", "8001", debit=fen("70"))
post("2021-01-01", "期初", "年初余额：上年财政拨款结转", "8101 财政拨款结转", source=GB, credit=fen("70"))

counter = {}


def voucher_no(month):
    counter[month] = counter.get(month, 0) + 1
    return f"记-{counter[month]:03d}"


def date(month, day):
    return f"2021-{month:02d}-{day:02d}"


# Monthly allotments for basic functions (授权支付额度下达): Dr 8001 / Cr 6001, 12 months.
for month in range(1, 13):
    v = voucher_no(month)
    for function in BASIC:
        part = split(INCOME[function], 12)[month - 1]
        post(date(month, 5), v, "收到财政授权支付额度", "8001", debit=part)
        post(date(month, 5), v, "收到财政授权支付额度", "6001", function, "", GB, credit=part)

# Basic spending, paid monthly: Dr 7101 / Cr 8001, with the financial entries Dr 5001 / Cr 1011.
for month in range(1, 13):
    for function, items in BASIC.items():
        v = voucher_no(month)
        total = 0
        for economic, wan in items:
            part = split(fen(wan), 12)[month - 1]
            total += part
            post(date(month, 20), v, "支付基本支出", "7101 行政支出", function, economic, GB, "基本支出", "", debit=part)
        post(date(month, 20), v, "支付基本支出", "8001 资金结存", credit=total)
        post(date(month, 20), v, "支付基本支出", "5001 业务活动费用", debit=total)
        post(date(month, 20), v, "支付基本支出", "1011 零余额账户用款额度", credit=total)

# Project funds: allotted in March and September (the 2060799 part in one direct payment).
for function, (project, account, items) in PROJECT.items():
    income = INCOME[function]
    if function == "2060799":
        continue
    for month, part in zip((3, 9), split(income, 2)):
        v = voucher_no(month)
        post(date(month, 10), v, f"下达项目资金：{project}", "8001", debit=part)
        post(date(month, 10), v, f"下达项目资金：{project}", "6001", function, "", GB, credit=part)

# Project spending in the second half of the year.
for function, (project, account, items) in PROJECT.items():
    for economic, wan in items:
        amount = fen(wan)
        month = 11 if function != "2060799" else 10
        if function == "2060799" and economic == "30227":
            # 财政直接支付 of the 天府科技云 service contract: Dr 7101 / Cr 6001 in one voucher.
            v = voucher_no(month)
            post(date(month, 18), v, "财政直接支付天府科技云服务合同款,57.5万元", account, function, economic, GB, "项目支出", project, debit=amount)
            post(date(month, 18), v, "财政直接支付天府科技云服务合同款,57.5万元", "6001", function, "", GB, credit=amount)
            continue
        v = voucher_no(month)
        post(date(month, 25), v, f"支付{project}", account, function, economic, GB, "项目支出", project, debit=amount)
        post(date(month, 25), v, f"支付{project}", "8001", credit=amount)

# The over-booking and its red-ink reversal (a negative debit and a negative credit).
over = fen("0.50")
v = voucher_no(11)
post(date(11, 15), v, "支付青少年科技活动,委托业务费", "7201", "2060703", "30227", GB, "项目支出", "青少年科技活动", debit=over)
post(date(11, 15), v, "支付青少年科技活动,委托业务费", "8001", credit=over)
v = voucher_no(12)
post(date(12, 10), v, "冲销多记的青少年科技活动委托业务费", "7201", "2060703", "30227", GB, "项目支出", "青少年科技活动", debit=-over)
post(date(12, 10), v, "冲销多记的青少年科技活动委托业务费", "8001", credit=-over)

# The rest of 2060799's income (151.80 − 57.50 direct payment) allotted in June.
rest = INCOME["2060799"] - fen("57.50")
v = voucher_no(6)
post(date(6, 8), v, "下达项目资金：天府科技云服务", "8001", debit=rest)
post(date(6, 8), v, "下达项目资金：天府科技云服务", "6001", "2060799", "", GB, credit=rest)

# Year-end closing (结账): income into 8101, spending out of 8101. juesuan skips these.
v = "记-结01"
for function, amount in INCOME.items():
    post("2021-12-31", v, "结转财政拨款预算收入", "6001", function, "", GB, debit=amount)
post("2021-12-31", v, "结转财政拨款预算收入", "8101", source=GB, credit=sum(INCOME.values()))
v = "记-结02"
spent = 0
for function, items in BASIC.items():
    for economic, wan in items:
        spent += fen(wan)
        post("2021-12-31", v, "结转行政支出", "7101", function, economic, GB, "基本支出", credit=fen(wan))
for function, (project, account, items) in PROJECT.items():
    amount = fen(PROJECT_TOTAL[function])
    spent += amount
    post("2021-12-31", v, "结转项目支出", account, function, "", GB, "项目支出", project, credit=amount)
post("2021-12-31", v, "结转行政支出", "8101", source=GB, debit=spent)

# Rows sorted by date, vouchers kept together (stable sort keeps each voucher's order).
order = {}
for r in rows:
    order.setdefault((r[0], r[1]), len(order))
rows.sort(key=lambda r: (r[0], order[(r[0], r[1])]))

out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
w.writerow(HEADER)
w.writerows(rows)
path = os.path.join("examples", "liangshan-kexie-2021", "journal.csv")
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write(out.getvalue())
print(f"{path}: {len(rows)} postings")
