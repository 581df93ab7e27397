"""What the browser tests share to set a case up the way another channel would: valid identity
numbers and credit codes, a complaint at 西塘 filed through the API, and a form submitted."""

import datetime
import json
import urllib.request

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def uscc(first17):
    """A USCC with its GB 32100 check character."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]


def resident_id(first17):
    """A resident ID number with its GB 11643 check digit."""
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def api(base, method, path, body=None, token=None, secret=None):
    """A JSON call to the API, as another channel (the business's desk, a mediator) makes it."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if secret:
        headers["X-Access-Secret"] = secret
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def days_ahead(n):
    """A date n days after today in China, as the API writes dates."""
    return (datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
            + datetime.timedelta(days=n)).isoformat()


def file_complaint(base, respondent_uscc=None, choose_odr=False):
    """A complaint about a restaurant at 西塘, filed through the API; the API's answer (id,
    receipt_number, access_secret, …)."""
    respondent = {"name": "西塘某餐馆", "address": "浙江省嘉兴市嘉善县西塘镇南大街8号"}
    if respondent_uscc:
        respondent["uscc"] = respondent_uscc
    body = {
        "channel": "web",
        "category": "catering",
        "complainant": {"name": "张三", "phone": "13800000000", "address": "上海市青浦区朱家角镇北大街1号",
                        "id_type": "resident_id", "id_number": resident_id("33042119900101123")},
        "respondent": respondent,
        "dispute": {"occurred_on": "2026-11-20", "division_code": "330421103", "goods_or_service": "晚餐",
                    "amount_fen": 12800, "facts": "在餐馆就餐时菜品中发现异物，要求退款并赔偿。"},
        "demands": ["refund", "damages"],
        "choose_odr": choose_odr,
        "consent_to_publish": True,
        "conceal_identity_from_business": False,
    }
    request = urllib.request.Request(base + "/api/v1/complaints", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def submit(page, button):
    """Clicks the button named `button` and returns the answer of the page it leads to."""
    with page.expect_navigation() as answer:
        page.get_by_role("button", name=button, exact=True).click()
    return answer.value


BUSINESS_USCC = uscc("91330421MA2B3C4D5")
