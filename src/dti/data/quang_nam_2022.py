"""Quảng Nam 2022 DTI (Quyết định 1206/QĐ-UBND, 13/6/2023): 20 departments, 18 districts.

Published (seed article "Huyện Núi Thành đứng thứ 03 trên toàn tỉnh về chuyển đổi số"): the
leaders, the three Khá departments and the last three districts with their points, Núi Thành's
rank and points, the band counts, and Núi Thành's infrastructure figures. Every other score is
reconstructed (kept in the published order and bands).
"""

from __future__ import annotations

from dti.data.spec import DatasetSpec, Derivation, Result, Unit, published
from dti.data.synth import Cell

__all__ = ["SPEC"]

PERIOD = "2022"
SO = "so"
HUYEN = "huyen"

# (code, name, score, published)
DEPARTMENTS: tuple[tuple[str, str, float, bool], ...] = (
    ("SGTVT", "Sở Giao thông vận tải", 976, True),
    ("STTTT", "Sở Thông tin và Truyền thông", 968, False),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", 963, False),
    ("VPUBND", "Văn phòng UBND tỉnh", 959, False),
    ("STC", "Sở Tài chính", 955, False),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", 951, False),
    ("SCT", "Sở Công Thương", 946, False),
    ("SNV", "Sở Nội vụ", 942, False),
    ("STP", "Sở Tư pháp", 938, False),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", 934, False),
    ("SGDDT", "Sở Giáo dục và Đào tạo", 929, False),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", 924, False),
    ("BQLKKT", "Ban Quản lý Khu kinh tế mở Chu Lai", 919, False),
    ("SKHCN", "Sở Khoa học và Công nghệ", 915, False),
    ("TTT", "Thanh tra tỉnh", 911, False),
    ("BDT", "Ban Dân tộc tỉnh", 906, False),
    ("SNGV", "Sở Ngoại vụ", 902, False),
    ("SXD", "Sở Xây dựng", 877, True),
    ("SYT", "Sở Y tế", 859, True),
    ("STNMT", "Sở Tài nguyên và Môi trường", 844, True),
)

DISTRICTS: tuple[tuple[str, str, float, bool], ...] = (
    ("BACTRAMY", "UBND huyện Bắc Trà My", 953, True),
    ("TAMKY", "UBND TP. Tam Kỳ", 948, False),
    ("NUITHANH", "UBND huyện Núi Thành", 943, True),
    ("DIENBAN", "UBND TX. Điện Bàn", 938, False),
    ("HOIAN", "UBND TP. Hội An", 934, False),
    ("THANGBINH", "UBND huyện Thăng Bình", 927, False),
    ("QUESON", "UBND huyện Quế Sơn", 921, False),
    ("PHUNINH", "UBND huyện Phú Ninh", 915, False),
    ("DAILOC", "UBND huyện Đại Lộc", 909, False),
    ("DUYXUYEN", "UBND huyện Duy Xuyên", 903, False),
    ("TIENPHUOC", "UBND huyện Tiên Phước", 884, False),
    ("NONGSON", "UBND huyện Nông Sơn", 862, False),
    ("PHUOCSON", "UBND huyện Phước Sơn", 831, False),
    ("TAYGIANG", "UBND huyện Tây Giang", 806, False),
    ("NAMGIANG", "UBND huyện Nam Giang", 781, False),
    ("DONGGIANG", "UBND huyện Đông Giang", 744, True),
    ("NAMTRAMY", "UBND huyện Nam Trà My", 725, True),
    ("HIEPDUC", "UBND huyện Hiệp Đức", 700, True),
)

# Núi Thành: 17 xã, thị trấn + 13 district offices = 30 administrative agencies; staff of the
# district and its communes (the count is reconstructed, the 100 % is published).
NUI_THANH_SIZES = {"communes": 17, "agencies": 30, "staff": 560, "computers": 590}
NUI_THANH_PINS: dict[str, Cell] = {
    "3.1": published("3.1", 30, 30),  # 100 % cơ quan HCNN cấp huyện và cấp xã sử dụng mạng LAN
    "3.2": published("3.2", 30, 30),  # 100 % có kết nối Internet băng thông rộng
    "3.3": published("3.3", 560, 560),  # 100 % CBCCVC huyện, xã được bố trí máy tính
    "3.4": published("3.4", 30, 30),  # 100 % cơ quan sử dụng thiết bị số hóa tài liệu
    "3.5": published("3.5", 17, 17),  # 100 % xã, thị trấn: thiết bị tại Bộ phận một cửa
    "3.6.1": published("3.6.1", 20),  # 20 điểm cầu kết nối 4 cấp
    "3.6.2": published("3.6.2", 17, 17),  # 17/17 xã, thị trấn
    "3.7": published("3.7", 30, 30),  # 100 % được cấp chứng thư số tổ chức và lãnh đạo
    "6.1.3": published("6.1.3", 560, 560),  # 100 % CBCCVC có tài khoản thư điện tử công vụ
    # 557 dossiers were handled online in the FIRST HALF of 2022; the indicator is yearly, so
    # the year's count is reconstructed (above 557) and the row is marked reconstructed.
    "6.2.2": Cell("6.2.2", 1214, 18650),
}

QN_BANDS = [
    {"code": "tot", "name": {"vi": "Tốt", "en": "Good"}, "min_percent": 90},
    {"code": "kha", "name": {"vi": "Khá", "en": "Fair"}, "min_percent": 70},
    {
        "code": "trung_binh",
        "name": {"vi": "Trung bình", "en": "Average"},
        "min_percent": 50,
    },
    {"code": "yeu", "name": {"vi": "Yếu", "en": "Weak"}, "min_percent": 0},
]
BAND_NOTE = (
    "Bands Tốt ≥ 90 % and Khá ≥ 70 % of 1,000 are derived from the published 2022 results "
    "(src/dti/data/README.md): Tốt must lie above 877 (Sở Xây dựng, Khá) and Khá at or below 700 "
    "(Hiệp Đức, Khá); the 2023 results (90,33 % Tốt, 85,42 % Khá) agree. The official thresholds "
    "of 2425/QĐ-UBND were not found; Trung bình ≥ 50 % and Yếu are placeholders no result uses."
)
DECISION_1206 = {
    "decision": "1206/QĐ-UBND (kết quả đánh giá, xếp hạng mức độ chuyển đổi số năm 2022)",
    "date": "2023-06-13",
    "issuer": "UBND tỉnh Quảng Nam",
    "note": "Results reproduced by the dataset quang-nam-2022; source of the band evidence.",
}

SO_FRAMEWORK = Derivation(
    file="frameworks/qn-dti-so-nganh-2022.yaml",
    base="dti-so-nganh-2022",
    keep_group="co_tthc",
    header="""\
Quảng Nam — Bộ chỉ số đánh giá chuyển đổi số của các sở, ban, ngành (2425/QĐ-UBND, 16/9/2022),
as used for the 2022 results (1206/QĐ-UBND, 13/6/2023).
DERIVED from the shipped dti-so-nganh-2022 by src/dti/data/build.py (do not edit by hand):
- one group "so": Quảng Nam ranks its 20 sở, ban, ngành together (the shipped file splits
  agencies with / without administrative procedures, after Lào Cai); the tree is the shipped
  tree for agencies with procedures (5 × 100 foundation + 500 Hoạt động chính quyền số = 1,000,
  as in 2425);
- results reported as raw points on 1,000, published as whole points (976, 877, 859, 844);
- Quảng Nam's bands Tốt / Khá (thresholds derived, see the README of src/dti/data).
Components, their points and rules remain those of the shipped file (reconstructed).""",
    fields={
        "code": "qn-dti-so-nganh-2022",
        "name": {
            "vi": "Bộ chỉ số đánh giá chuyển đổi số của các sở, ban, ngành tỉnh Quảng Nam năm 2022",
            "en": "Quảng Nam digital transformation index of provincial departments, 2022",
        },
        "status_note": "Derived from dti-so-nganh-2022 (one group, Quảng Nam bands). " + BAND_NOTE,
        "scale": {"total": 1000, "report": "raw", "decimals": 0, "rounding": "half_up"},
        "groups": [{"code": SO, "name": {"vi": "Sở, ban, ngành", "en": "Provincial departments"}}],
        "bands": QN_BANDS,
    },
    sources=(DECISION_1206,),
)

HUYEN_FRAMEWORK = Derivation(
    file="frameworks/qn-dti-cap-huyen-2022.yaml",
    base="dti-cap-huyen-2022",
    header="""\
Quảng Nam — Bộ chỉ số đánh giá chuyển đổi số cấp huyện (2425/QĐ-UBND, 16/9/2022), as used for
the 2022 results (1206/QĐ-UBND, 13/6/2023).
DERIVED from the shipped dti-cap-huyen-2022 by src/dti/data/build.py (do not edit by hand).
GAP: Quảng Nam's district set itself was not obtained. The 1206 article only says its
foundation group matches the provincial set and its activity group is chính quyền số, kinh tế
số, xã hội số, on 1,000 points — which the shipped 8-pillar district set (Lào Cai's pillar
weights) has. Only the bands differ: Quảng Nam's Tốt / Khá instead of Lào Cai's maturity levels;
results are published as whole points.""",
    fields={
        "code": "qn-dti-cap-huyen-2022",
        "name": {
            "vi": "Bộ chỉ số đánh giá chuyển đổi số cấp huyện tỉnh Quảng Nam năm 2022",
            "en": "Quảng Nam district-level digital transformation index, 2022",
        },
        "status_note": (
            "Derived from dti-cap-huyen-2022 (Quảng Nam bands, whole points); Quảng Nam's own "
            "district components are a gap. " + BAND_NOTE
        ),
        "scale": {"total": 1000, "report": "raw", "decimals": 0, "rounding": "half_up"},
        "bands": QN_BANDS,
    },
    sources=(
        {
            "decision": "2425/QĐ-UBND",
            "date": "2022-09-16",
            "issuer": "UBND tỉnh Quảng Nam",
            "note": "Quảng Nam's set (district part not obtained: gap).",
        },
        DECISION_1206,
    ),
)


def _units() -> tuple[Unit, ...]:
    departments = tuple(Unit(f"QN-{c}", name, SO) for c, name, _s, _p in DEPARTMENTS)
    districts = tuple(Unit(f"QN-{c}", name, HUYEN) for c, name, _s, _p in DISTRICTS)
    return departments + districts


def _results() -> tuple[Result, ...]:
    out = [Result(f"QN-{c}", PERIOD, s, p) for c, _n, s, p in DEPARTMENTS]
    for code, _name, score, is_published in DISTRICTS:
        if code == "NUITHANH":
            out.append(
                Result(
                    f"QN-{code}",
                    PERIOD,
                    score,
                    is_published,
                    pinned=NUI_THANH_PINS,
                    sizes=NUI_THANH_SIZES,
                )
            )
        else:
            out.append(Result(f"QN-{code}", PERIOD, score, is_published))
    return tuple(out)


NUI_THANH_FIGURES: tuple[tuple[str, str], ...] = (
    ("3.1", "100% cơ quan HCNN cấp huyện và cấp xã sử dụng mạng LAN"),
    ("3.2", "100% cơ quan hành chính có kết nối Internet băng thông rộng"),
    ("3.3", "100% CBCCVC cấp huyện và cán bộ, công chức cấp xã được bố trí máy tính"),
    ("3.4", "100% cơ quan nhà nước sử dụng thiết bị số hóa để số hóa tài liệu"),
    ("3.5", "100% xã, thị trấn được trang bị thiết bị tại Bộ phận tiếp nhận và trả kết quả"),
    ("3.6.1", "20 điểm cầu kết nối 4 cấp"),
    ("3.6.2", "hội nghị truyền hình trực tuyến từ UBND huyện đến 17/17 xã, thị trấn"),
    ("3.7", "100% cơ quan, đơn vị được cấp chứng thư số cho tổ chức và cá nhân lãnh đạo"),
    ("6.1.3", "100% CBCCVC từ huyện đến xã, thị trấn được cấp tài khoản email công vụ"),
)

ARTICLE = {
    "title": "Huyện Núi Thành đứng thứ 03 trên toàn tỉnh về chuyển đổi số",
    "publisher": "UBND huyện Núi Thành (trang thông tin điện tử)",
    "seed": "000_c009239ed95b108d",
}
ARTICLE_INFRA = {
    "title": "Xây dựng chính quyền số ở huyện Núi Thành: Hạ tầng đi trước",
    "publisher": "Báo Quảng Nam (Văn Phin)",
    "seed": "004_3b55713f495d0e0a",
}

MANIFEST = {
    "title": "Quảng Nam — kết quả đánh giá, xếp hạng mức độ chuyển đổi số năm 2022",
    "province": "Quảng Nam",
    "decision": {
        "number": "1206/QĐ-UBND",
        "date": "2023-06-13",
        "issuer": "UBND tỉnh Quảng Nam",
        "signer": "Phó Chủ tịch UBND tỉnh Hồ Quang Bửu",
    },
    "framework_decision": {
        "number": "2425/QĐ-UBND",
        "date": "2022-09-16",
        "issuer": "UBND tỉnh Quảng Nam",
    },
    "sources": [ARTICLE, ARTICLE_INFRA],
    "periods": [PERIOD],
    "published": [
        {
            "unit": "QN-SGTVT",
            "rank": 1,
            "score": 976,
            "quote": "đơn vị dẫn đầu cấp sở là sở Giao thông vận tải tỉnh đạt 976 điểm",
        },
        {
            "group": SO,
            "n": 20,
            "band_tot": 17,
            "band_kha": 3,
            "quote": "nhóm sở, ban ngành gồm "
            "có 20 đơn vị, trong số này có 17 đơn vị xếp loại tốt và 3 đơn vị xếp loại khá",
        },
        {"unit": "QN-SXD", "score": 877, "band": "kha"},
        {"unit": "QN-SYT", "score": 859, "band": "kha"},
        {
            "unit": "QN-STNMT",
            "score": 844,
            "band": "kha",
            "rank": 20,
            "quote": "sở Tài nguyên và Môi trường đứng thấp nhất với số điểm 844",
        },
        {"unit": "QN-BACTRAMY", "rank": 1, "score": 953},
        {
            "unit": "QN-NUITHANH",
            "rank": 3,
            "score": 943,
            "quote": "huyện Núi Thành đứng vị trí thứ 03 đối với cấp huyện, thành phố với 943 điểm",
        },
        {"group": HUYEN, "n": 18, "band_tot": 10, "band_kha": 8},
        {"unit": "QN-DONGGIANG", "rank": 16, "score": 744},
        {"unit": "QN-NAMTRAMY", "rank": 17, "score": 725},
        {"unit": "QN-HIEPDUC", "rank": 18, "score": 700, "band": "kha"},
    ],
    "nui_thanh": {
        "unit": "QN-NUITHANH",
        "note": (
            "Infrastructure figures of the two articles, entered as raw values of the district "
            "set (rows marked published). Percentages are published; the counts behind them "
            "(30 agencies = 17 xã, thị trấn + 13 district offices; 560 staff) are reconstructed. "
            "Article 004 says 'hơn 95%' of commune staff have computers where article 000 (the "
            "2022 results) says 100 %: the dataset follows article 000."
        ),
        "figures": [{"indicator": code, "published": text} for code, text in NUI_THANH_FIGURES]
        + [
            {
                "indicator": "6.2.2",
                "published": "557 hồ sơ TTHC giải quyết qua DVCTT mức độ 3, 4 trong 6 tháng "
                "đầu năm 2022",
                "note": "Half-year figure; the yearly numerator (1,214 of 18,650) is "
                "reconstructed and at least 557.",
            }
        ],
    },
    "notes": [
        "Scores not listed under 'published' are reconstructed, in the published order and bands.",
        "The department list (20 sở, ban, ngành) and the Ban Quản lý name follow the 2020/2022 "
        "articles; which 20 bodies were ranked is not listed in the article (reconstructed).",
    ],
}

SPEC = DatasetSpec(
    name="quang-nam-2022",
    manifest=MANIFEST,
    frameworks={SO: SO_FRAMEWORK.file, HUYEN: HUYEN_FRAMEWORK.file},
    levels={SO: "so", HUYEN: "huyen"},
    units=_units(),
    results=_results(),
    derived=(SO_FRAMEWORK, HUYEN_FRAMEWORK),
)
