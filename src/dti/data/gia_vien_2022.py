"""Gia Viễn (Ninh Bình) 2022: the district's self-assessment and the province's verification.

Published (seed article "Thẩm tra, xác minh kết quả tự đánh giá mức độ chuyển đổi số năm 2022
của UBND huyện", 10/7/2023): the district self-assessed 511,18 of 765 applicable points with 41
of 72 indicators completed or basically completed and 31 low or not done; most communes complete
25 of 50 indicators (the foundation pillars) and not the 25 activity indicators; the working
group verified the 8 pillars and visited Gia Phương and Gia Vượng.
"""

from __future__ import annotations

from dti.catalog import resolve_framework
from dti.data.spec import Adjustment, DatasetSpec, Result, Unit
from dti.data.synth import applicable_leaves

__all__ = ["SPEC"]

PERIOD = "2022"
HUYEN, XA = "huyen", "xa"
DISTRICT = "GV-GIAVIEN"
HIGH = (0.55, 1.0)  # completed or basically completed (≥ 50 % of the indicator's points)
LOW = (0.0, 0.45)  # low or not done (< 50 %)

# Applicable indicators the district self-assessed as low or not done (19; with the 12 not
# applicable ones, the 31 of the article). Which ones is reconstructed.
DISTRICT_LOW = (
    "1.5", "2.6", "4.5", "4.6", "4.7",
    "6.1.2", "6.2.2", "6.2.3", "6.3", "6.5", "6.6",
    "7.1", "7.2", "7.3", "7.4",
    "8.1", "8.2", "8.3", "8.6",
)  # fmt: skip

# (code, name, self-assessed score, activity indicators self-assessed as basically completed)
COMMUNES: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    ("ME", "UBND thị trấn Me", 612.4, ("6.1", "6.4")),
    ("GIAPHUONG", "UBND xã Gia Phương", 596.35, ("6.5", "8.4")),
    ("GIAVUONG", "UBND xã Gia Vượng", 588.7, ("6.5", "7.3")),
    ("GIAHOA", "UBND xã Gia Hòa", 553.2, ()),
    ("GIALAC", "UBND xã Gia Lạc", 547.85, ()),
    ("GIASINH", "UBND xã Gia Sinh", 541.6, ()),
)
FOUNDATION_PILLARS = ("1", "2", "3", "4", "5")

VERIFICATION: tuple[Adjustment, ...] = (
    Adjustment(DISTRICT, PERIOD, "1.5", 0.25,
               "Chỉ tính các tin, bài về chuyển đổi số có đường dẫn, đăng trong năm 2022."),
    Adjustment(DISTRICT, PERIOD, "4.3", 0.6,
               "Một số lớp tập huấn kỹ năng số không có danh sách học viên ký nhận; chỉ tính "
               "các lớp có minh chứng."),
    Adjustment(DISTRICT, PERIOD, "6.1.1", 0.85,
               "Đối chiếu số văn bản đi ký số trên Hệ thống quản lý văn bản và điều hành của "
               "tỉnh."),
    Adjustment(DISTRICT, PERIOD, "3.8", 0.9,
               "Theo số liệu vùng phủ sóng do doanh nghiệp viễn thông cung cấp."),
    Adjustment("GV-GIAPHUONG", PERIOD, "6.5", 0.3,
               "Kiểm tra thực tế tại xã Gia Phương: phần lớn hồ sơ trực tuyến do công chức "
               "một cửa nộp thay; chỉ tính hồ sơ tổ chức, công dân tự nộp."),
    Adjustment("GV-GIAPHUONG", PERIOD, "8.4", 0.35,
               "Kiểm tra thực tế tại xã Gia Phương: danh sách chi trả qua tài khoản chưa khớp "
               "danh sách đối tượng chính sách."),
    Adjustment("GV-GIAVUONG", PERIOD, "6.5", 0.3,
               "Kiểm tra thực tế tại xã Gia Vượng: phần lớn hồ sơ trực tuyến do công chức một "
               "cửa nộp thay; chỉ tính hồ sơ tổ chức, công dân tự nộp."),
    Adjustment("GV-GIAVUONG", PERIOD, "7.3", 0.25,
               "Kiểm tra thực tế tại xã Gia Vượng: số hộ kinh doanh được tập huấn chưa có danh "
               "sách ký nhận."),
)  # fmt: skip


def _district_result() -> Result:
    framework = resolve_framework("dti-cap-huyen-2022")
    leaves = applicable_leaves(framework, HUYEN)
    not_applicable = frozenset(n.code for n in leaves if n.na_allowed)
    ranges = {
        n.code: LOW if n.code in DISTRICT_LOW else HIGH
        for n in leaves
        if n.code not in not_applicable
    }
    return Result(
        DISTRICT,
        PERIOD,
        511.18,
        published=True,
        not_applicable=not_applicable,
        ranges=ranges,
        sizes={"communes": 20},
    )


def _commune_results() -> list[Result]:
    framework = resolve_framework("dti-cap-xa-2022")
    leaves = applicable_leaves(framework, XA)
    out = []
    for code, _name, score, claimed in COMMUNES:
        ranges = {
            n.code: HIGH if n.code.split(".")[0] in FOUNDATION_PILLARS or n.code in claimed else LOW
            for n in leaves
        }
        out.append(Result(f"GV-{code}", PERIOD, score, ranges=ranges))
    return out


def _units() -> tuple[Unit, ...]:
    communes = tuple(Unit(f"GV-{c}", name, XA, parent=DISTRICT) for c, name, *_ in COMMUNES)
    return (Unit(DISTRICT, "UBND huyện Gia Viễn", HUYEN), *communes)


MANIFEST = {
    "title": "Gia Viễn (Ninh Bình) — tự đánh giá và thẩm tra mức độ chuyển đổi số năm 2022",
    "province": "Ninh Bình",
    "decision": {
        "number": "733/QĐ-UBND",
        "date": "2022-08-15",
        "issuer": "UBND tỉnh Ninh Bình",
        "note": "Bộ chỉ số đánh giá chuyển đổi số tỉnh Ninh Bình (the set assessed); no results "
        "decision is represented — the figures are the self-assessment and its verification.",
    },
    "sources": [
        {
            "title": "Thẩm tra, xác minh kết quả tự đánh giá mức độ chuyển đổi số năm 2022 của "
            "UBND huyện",
            "publisher": "Trang thông tin điện tử UBND huyện Gia Viễn (Cẩm Vân, 10/7/2023)",
            "seed": "001_c47b028420a88f66",
        }
    ],
    "periods": [PERIOD],
    "published": [
        {"unit": DISTRICT, "values": "values", "total": 511.18, "applicable_max": 765,
         "quote": "tổng số điểm đạt được là 511,18/765 điểm"},
        {"unit": DISTRICT, "values": "values", "completed_or_basically": 41, "low_or_not_done": 31,
         "of": 72, "quote": "Huyện đã hoàn thành và cơ bản hoàn thành 41/72 chỉ số, có 31/72 chỉ "
         "số hoàn thành thấp hoặc chưa thực hiện được."},
        {"group": XA, "values": "verified", "completed_or_basically": 25, "of": 50,
         "which": "most communes", "quote": "đa số các xã, thị trấn đã hoàn thành và cơ bản hoàn "
         "thành 25/50 chỉ số thuộc các nhóm: Nhận thức số, Thể chế số, Hạ tầng số; Nhân lực số; "
         "An toàn thông tin mạng."},
    ],
    "interpretation": [
        "765 = 1,000 − 235: the district marked the 12 na_allowed indicators of the shipped "
        "district set (worth exactly 235) not applicable; the article gives the reason that some "
        "indicators of the set had not been deployed.",
        "41 + 31 = 72 counts every indicator: the 31 'low or not done' are the 19 applicable "
        "indicators below 50 % of their points plus the 12 not applicable ones.",
        "The commune figure (25/50) is the verification result, so it is tested on "
        "values-verified.csv; thị trấn Me keeps two activity indicators basically completed "
        "('đa số' — most, not all).",
    ],
    "verification": {
        "date": "2023-07-10",
        "team": "Tổ công tác của tỉnh, Tổ trưởng Đặng Tùng Anh, Phó Giám đốc Sở Thông tin và "
        "Truyền thông",
        "pillars_verified": [
            "Nhận thức số", "Thể chế số", "Hạ tầng số", "Nhân lực số", "An toàn thông tin mạng",
            "Hoạt động chính quyền số", "Hoạt động kinh tế số", "Hoạt động xã hội số",
        ],
        "site_visits": [
            {"unit": "GV-GIAPHUONG", "notes": "Kiểm tra thực tế tại xã Gia Phương: hồ sơ trực "
             "tuyến và chi trả an sinh xã hội không dùng tiền mặt được đối chiếu với sổ sách."},
            {"unit": "GV-GIAVUONG", "notes": "Kiểm tra thực tế tại xã Gia Vượng: hồ sơ trực tuyến "
             "và danh sách tập huấn kinh tế số được đối chiếu với minh chứng."},
        ],
        "file": "values-verified.csv",
        "note": "The verified values and the reason for each change are reconstructed; the "
        "article gives no verified totals.",
    },
    "notes": [
        "Six of Gia Viễn's communes are included (thị trấn Me and five xã), not all of them.",
        "Commune scores and all indicator values are reconstructed.",
    ],
}  # fmt: skip

SPEC = DatasetSpec(
    name="gia-vien-2022",
    manifest=MANIFEST,
    frameworks={HUYEN: "dti-cap-huyen-2022", XA: "dti-cap-xa-2022"},
    levels={HUYEN: "huyen", XA: "xa"},
    units=_units(),
    results=(_district_result(), *_commune_results()),
    verification=VERIFICATION,
)
