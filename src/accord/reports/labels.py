"""Report labels in English, Korean and Japanese. Support categories and situations take their
labels from `accord.vocabulary`; everything else a report prints is here. Codes (nations,
currencies, statuses, order numbers) are data and are printed as they are."""

from __future__ import annotations

from accord import vocabulary as vocab
from accord.errors import BadInput

LANGS = ("en", "ko", "ja")
LOCALES = {"en": "en_US", "ko": "ko_KR", "ja": "ja_JP"}

# key: (en, ko, ja)
_LABELS: dict[str, tuple[str, str, str]] = {
    # report titles
    "balances": (
        "Balances by counterparty and currency",
        "상대국·통화별 잔액",
        "相手国・通貨別残高",
    ),
    "ageing": ("Ageing of receivables", "채권 연령 분석", "債権の年齢分析"),
    "overdue": (
        "Overdue reimbursements (10 U.S.C. 2345)",
        "연체된 상환 (10 U.S.C. 2345)",
        "延滞している償還 (10 U.S.C. 2345)",
    ),
    "missing": (
        "Orders missing data, documents or a signature",
        "자료·서류·서명이 누락된 주문",
        "データ・書類・署名が欠けている注文",
    ),
    "annual": (
        "Annual report (10 U.S.C. 2342(h))",
        "연례 보고서 (10 U.S.C. 2342(h))",
        "年次報告 (10 U.S.C. 2342(h))",
    ),
    "ceilings": (
        "Annual ceilings (10 U.S.C. 2347)",
        "연간 한도 (10 U.S.C. 2347)",
        "年間上限 (10 U.S.C. 2347)",
    ),
    # sections
    "by-category": (
        "Support provided and received, by category of supply",
        "품목별 제공·수령 지원",
        "区分別の提供・受領支援",
    ),
    "unreconciled": (
        "Transactions unreconciled for more than one year",
        "1년 이상 미정산 거래",
        "1年を超えて未精算の取引",
    ),
    "waivers": (
        "Ceiling waivers used (10 U.S.C. 2347(c))",
        "한도 적용 면제 (10 U.S.C. 2347(c))",
        "上限の適用除外 (10 U.S.C. 2347(c))",
    ),
    "agreements": (
        "Agreements in force or provisionally applied (ACSA)",
        "발효 중이거나 잠정 적용 중인 협정 (상호군수지원협정)",
        "効力を有する又は暫定的に適用される協定 (物品役務相互提供協定)",
    ),
    "totals-usd": ("Totals in US dollars", "미국 달러 환산 합계", "米ドル換算の合計"),
    "missing-rates": (
        "Exchange rates to US dollars missing",
        "누락된 미국 달러 환율",
        "欠けている米ドル換算レート",
    ),
    # charts
    "balances-over-time": ("Balances over time", "잔액 추이", "残高の推移"),
    "ageing-chart": ("Receivables by age", "연령별 채권", "経過日数別の債権"),
    "ceilings-chart": ("Ceilings used", "한도 사용액", "上限の使用額"),
    "annual-usd-provided": (
        "Support provided by category: collected and outstanding",
        "품목별 제공 지원: 회수액과 미결제액",
        "区分別の提供支援: 回収額と未決済額",
    ),
    "annual-usd-received": (
        "Support received by category: paid and outstanding",
        "품목별 수령 지원: 지급액과 미결제액",
        "区分別の受領支援: 支払額と未決済額",
    ),
    "chart-incomplete": (
        "Categories without an exchange rate are left out",
        "환율이 없는 품목은 제외됨",
        "換算レートのない区分は除外",
    ),
    # columns
    "book": ("Book", "장부", "帳簿"),
    "counterparty": ("Counterparty", "상대국", "相手国"),
    "creditor": ("Creditor", "채권국", "債権国"),
    "debtor": ("Debtor", "채무국", "債務国"),
    "ledger": ("Currency or commodity", "통화·물품", "通貨・物品"),
    "receivable": ("Receivable", "채권", "債権"),
    "payable": ("Payable", "채무", "債務"),
    "net": ("Net", "순액", "純額"),
    "days_0_90": ("0–90 days", "0–90일", "0–90日"),
    "days_91_180": ("91–180 days", "91–180일", "91–180日"),
    "days_181_365": ("181–365 days", "181–365일", "181–365日"),
    "days_over_365": ("Over 365 days", "365일 초과", "365日超"),
    "total": ("Total", "합계", "合計"),
    "orders": ("Orders", "주문 수", "注文数"),
    "order": ("Order", "주문", "注文"),
    "status": ("Status", "상태", "状態"),
    "supplier": ("Supplier", "공급국", "提供国"),
    "requester": ("Requester", "요청국", "要請国"),
    "agreement": ("Agreement", "협정", "協定"),
    "reimbursement": ("Reimbursement", "상환 방법", "決済方法"),
    "obligation": ("Obligation", "의무", "義務"),
    "first_delivery": ("First delivery", "최초 인도일", "初回引渡日"),
    "due": ("Due", "기한", "期限"),
    "days_overdue": ("Days overdue", "연체 일수", "延滞日数"),
    "outstanding": ("Outstanding", "미결제", "未決済"),
    "offset_eligible": ("Offset eligible", "상계 가능", "相殺可能"),
    "rule": ("Rule", "근거", "根拠"),
    "order_date": ("Order date", "주문일", "注文日"),
    "issue": ("Issue", "문제", "問題"),
    "detail": ("Detail", "내용", "内容"),
    "source": ("Source", "출처", "出典"),
    "direction": ("Direction", "구분", "区別"),
    "category": ("Category", "품목", "区分"),
    "value": ("Value", "금액", "金額"),
    "settled": ("Collected or paid", "회수·지급액", "回収・支払額"),
    "date": ("Date", "일자", "日付"),
    "situation": ("Situation", "상황", "事態"),
    "waiver": ("Waiver", "면제 사유", "適用除外の理由"),
    "fiscal_year": ("Fiscal year", "회계연도", "会計年度"),
    "group": ("Group", "그룹", "グループ"),
    "scope": ("Scope", "범위", "範囲"),
    "used": ("Used", "사용액", "使用額"),
    "limit": ("Limit", "한도", "上限"),
    "remaining": ("Remaining", "잔여", "残額"),
    "percent_used": ("% used", "사용률 %", "使用率 %"),
    "title": ("Title", "명칭", "名称"),
    "kind": ("Kind", "종류", "種類"),
    "signed": ("Signed", "서명일", "署名日"),
    "notified": ("Notified", "통보일", "通知日"),
    "provisionally_applied": ("Provisionally applied from", "잠정 적용일", "暫定適用開始日"),
    "in_force": ("In force from", "발효일", "発効日"),
    "ended": ("Ended", "종료일", "終了日"),
    "agreement_status": ("Status on the date", "기준일 현재 상태", "基準日の状態"),
    "currency": ("Currency", "통화", "通貨"),
    "value_usd": ("Value (USD)", "금액 (USD)", "金額 (USD)"),
    "settled_usd": ("Collected or paid (USD)", "회수·지급액 (USD)", "回収・支払額 (USD)"),
    "outstanding_usd": ("Outstanding (USD)", "미결제 (USD)", "未決済 (USD)"),
    # values
    "provided": ("provided", "제공", "提供"),
    "received": ("received", "수령", "受領"),
    "all": ("all categories", "전체 품목", "全区分"),
    "no-rate": ("no exchange rate", "환율 없음", "換算レートなし"),
    "not-valued": ("not valued", "평가 불가", "評価不能"),
    "acsa": ("ACSA", "상호군수지원협정", "物品役務相互提供協定"),
    "implementing-arrangement": ("implementing arrangement", "이행약정", "実施取決め"),
    "status-in-force": ("in force", "발효 중", "効力発生中"),
    "status-provisionally-applied": ("provisionally applied", "잠정 적용 중", "暫定適用中"),
    "status-ended": ("ended", "종료", "終了"),
    "status-signed": ("signed, not in force", "서명, 미발효", "署名済み・未発効"),
    "status-not-yet-signed": ("not yet signed", "미서명", "未署名"),
    "as_of": ("As of", "기준일", "基準日"),
    "from": ("From", "시작", "開始"),
    "to": ("To", "종료", "終了"),
    "nothing": ("Nothing to report.", "보고할 내용이 없습니다.", "報告事項はありません。"),
    "yes": ("yes", "예", "はい"),
    "no": ("no", "아니요", "いいえ"),
    "page": ("Page", "쪽", "ページ"),
    "generated": ("Generated by Accord", "Accord 작성", "Accord により作成"),
}


def lang(value: str) -> str:
    code = value.strip().lower()
    if code not in LANGS:
        raise BadInput(f"unknown language {value!r}; accepted: {', '.join(LANGS)}")
    return code


def label(key: str, language: str = "en") -> str:
    entry = _LABELS.get(key)
    if entry is None:
        return key
    return entry[LANGS.index(language)]


def category(code: str, language: str = "en") -> str:
    """A category's label; in Korean and Japanese with the contract's code beside it."""
    if code == "all":
        return label("all", language)
    for term in vocab.CATEGORIES:
        if term.code == code:
            if language == "en":
                return code
            return f"{getattr(term, language)} ({code})"
    return code


def situation(code: str, language: str = "en") -> str:
    for term in vocab.SITUATIONS:
        if term.code == code:
            return code if language == "en" else f"{getattr(term, language)} ({code})"
    return code


def has(key: str) -> bool:
    return key in _LABELS
