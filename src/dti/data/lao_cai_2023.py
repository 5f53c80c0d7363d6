"""Lào Cai 2023 DTI (Quyết định 684/QĐ-UBND, 3/4/2024), with 2022 as the previous year.

Published (seed article "Xếp hạng chuyển đổi số các cơ quan Đảng, Nhà nước, …"): the five
leading provincial bodies with administrative procedures and the five without, in order; the
average of the group without procedures up 11,1 % on 2022; the three leading districts; Lào Cai
city the only district at the "dẫn dắt" level with 760,39/1.000; averages above 50 %. From the
results article quoted in the reference notes (doingoailaocai.vn/vi/bai-viet/19124): Sở LĐ-TB&XH
731,61/1.000 ("nâng cao") and 17 of the 18 bodies with procedures at "nâng cao".
"""

from __future__ import annotations

from dti.data.spec import DatasetSpec, Derivation, Result, Unit

__all__ = ["SPEC"]

PERIODS = ("2022", "2023")
CO, KHONG, HUYEN = "co_tthc", "khong_tthc", "huyen"
MEAN_CHANGE = 1.111  # the group without procedures: average up 11,1 %

# (code, name, 2022 score, 2023 score, 2023 score published)
WITH_PROCEDURES: tuple[tuple[str, str, float, float, bool], ...] = (
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", 642.15, 731.61, True),
    ("SYT", "Sở Y tế", 618.4, 716.42, False),
    ("STTTT", "Sở Thông tin và Truyền thông", 655.72, 709.85, False),
    ("SGDDT", "Sở Giáo dục và Đào tạo", 601.33, 702.37, False),
    ("STC", "Sở Tài chính", 612.08, 695.12, False),
    ("SNV", "Sở Nội vụ", 590.64, 684.56, False),
    ("STP", "Sở Tư pháp", 575.2, 671.03, False),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", 581.9, 660.48, False),
    ("SCT", "Sở Công Thương", 552.37, 648.27, False),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", 548.71, 635.9, False),
    ("SGTVTXD", "Sở Giao thông vận tải - Xây dựng", 560.05, 622.14, False),
    ("STNMT", "Sở Tài nguyên và Môi trường", 531.44, 610.75, False),
    ("SVHTT", "Sở Văn hóa và Thể thao", 512.86, 596.38, False),
    ("SDL", "Sở Du lịch", 520.3, 581.66, False),
    ("SKHCN", "Sở Khoa học và Công nghệ", 498.17, 563.2, False),
    ("SNGV", "Sở Ngoại vụ", 476.92, 547.81, False),
    ("BQLKKT", "Ban Quản lý Khu kinh tế tỉnh", 463.58, 529.45, False),
    ("TTT", "Thanh tra tỉnh", 431.26, 486.32, False),
)

# 2022 scores of this group are chosen so that the average rises by 11,1 % (published).
WITHOUT_PROCEDURES: tuple[tuple[str, str, float, float, bool], ...] = (
    ("VPTU", "Văn phòng Tỉnh ủy", 628.4, 702.5, False),
    ("DAIPTTH", "Đài Phát thanh - Truyền hình tỉnh", 601.75, 688.24, False),
    ("BTCTU", "Ban Tổ chức Tỉnh ủy", 610.2, 671.4, False),
    ("BTGTU", "Ban Tuyên giáo Tỉnh ủy", 587.93, 659.83, False),
    ("TINHDOAN", "Tỉnh đoàn Lào Cai", 566.1, 645.3, False),
    ("BDVTU", "Ban Dân vận Tỉnh ủy", 571.48, 633.71, False),
    ("UBKTTU", "Ủy ban Kiểm tra Tỉnh ủy", 552.66, 621.09, False),
    ("BNCTU", "Ban Nội chính Tỉnh ủy", 549.02, 608.55, False),
    ("UBMTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", 530.14, 594.2, False),
    ("HLHPN", "Hội Liên hiệp Phụ nữ tỉnh", 521.77, 580.66, False),
    ("HND", "Hội Nông dân tỉnh", 508.39, 566.12, False),
    ("HCCB", "Hội Cựu chiến binh tỉnh", 497.05, 551.9, False),
    ("LDLD", "Liên đoàn Lao động tỉnh", 488.61, 537.48, False),
    ("VPDDBQH", "Văn phòng Đoàn ĐBQH và HĐND tỉnh", 511.37, 521.35, False),
)

DISTRICTS: tuple[tuple[str, str, float, float, bool], ...] = (
    ("TPLAOCAI", "UBND thành phố Lào Cai", 688.56, 760.39, True),
    ("BACHA", "UBND huyện Bắc Hà", 604.22, 712.6, False),
    ("VANBAN", "UBND huyện Văn Bàn", 611.9, 698.42, False),
    ("BAOTHANG", "UBND huyện Bảo Thắng", 620.37, 684.15, False),
    ("SAPA", "UBND thị xã Sa Pa", 597.45, 672.53, False),
    ("BAOYEN", "UBND huyện Bảo Yên", 571.83, 655.31, False),
    ("BATXAT", "UBND huyện Bát Xát", 560.14, 640.82, False),
    ("MUONGKHUONG", "UBND huyện Mường Khương", 532.6, 618.27, False),
    ("SIMACAI", "UBND huyện Si Ma Cai", 515.09, 597.74, False),
)

LAO_CAI_BANDS = [
    {
        "code": "dan_dat",
        "name": {"vi": "Mức dẫn dắt", "en": "Leading"},
        "min_percent": 75,
        "strict": True,
    },
    {
        "code": "nang_cao",
        "name": {"vi": "Mức nâng cao", "en": "Advanced"},
        "min_percent": 50,
        "strict": True,
    },
    {
        "code": "hinh_thanh",
        "name": {"vi": "Mức hình thành", "en": "Forming"},
        "min_percent": 25,
        "strict": True,
    },
    {"code": "khoi_dong", "name": {"vi": "Mức khởi động", "en": "Starting"}, "min_percent": 0},
]

PROVINCIAL_FRAMEWORK = Derivation(
    file="frameworks/lao-cai-co-quan-tinh-2022.yaml",
    base="dti-so-nganh-2022",
    header="""\
Lào Cai — Bộ chỉ số DTI các cơ quan cấp tỉnh có / không có thủ tục hành chính (2644/QĐ-UBND,
7/11/2022; replaced by 3019/QĐ-UBND, 28/11/2023), as used for the 2022 and 2023 results
(684/QĐ-UBND, 3/4/2024).
DERIVED from the shipped dti-so-nganh-2022 by src/dti/data/build.py (do not edit by hand): same
two groups and tree (1,000 points; 750 applicable to bodies without procedures, as in Lào Cai's
2022 results; results rescaled to 1,000), with Lào Cai's maturity levels (dẫn dắt > 75 %, nâng
cao > 50 %, hình thành > 25 %, khởi động ≤ 25 %) instead of Tốt / Khá.
GAP: the 2023 set (3019: 55 / 43 components, bodies without procedures on 800 points) was not
obtained, so both years are scored on this one (reconstructed) tree.""",
    fields={
        "code": "lao-cai-co-quan-tinh-2022",
        "name": {
            "vi": "Bộ chỉ số đánh giá chuyển đổi số các cơ quan cấp tỉnh tỉnh Lào Cai",
            "en": "Lào Cai digital transformation index of provincial bodies",
        },
        "years": [2022, 2023],
        "status_note": (
            "Derived from dti-so-nganh-2022 with Lào Cai's maturity levels (sourced). The tree "
            "is the shipped reconstruction; Lào Cai's 35/28 (2022) and 55/43 (2023) components "
            "are a gap, and 2023 is scored on the 2022 tree."
        ),
        "bands": LAO_CAI_BANDS,
    },
    sources=(
        {
            "decision": "3019/QĐ-UBND",
            "date": "2023-11-28",
            "issuer": "UBND tỉnh Lào Cai",
            "url": "https://svhttdl.laocai.gov.vn/chuyen-doi-so/ban-hanh-bo-chi-so-danh-gia-chuyen-doi-so-tinh-lao-cai-nam-2023-1224796",
            "note": "2023 set (55 components with procedures, 43 without on 800 points): gap.",
        },
        {
            "decision": "684/QĐ-UBND (kết quả năm 2023)",
            "date": "2024-04-03",
            "issuer": "UBND tỉnh Lào Cai",
            "url": "https://www.doingoailaocai.vn/vi/bai-viet/19124",
            "note": "Maturity levels: dẫn dắt > 75 %, nâng cao > 50–75 %, hình thành > 25–50 %, "
            "khởi động ≤ 25 % of the total.",
        },
    ),
)


def _table() -> tuple[tuple[str, tuple[tuple[str, str, float, float, bool], ...]], ...]:
    return ((CO, WITH_PROCEDURES), (KHONG, WITHOUT_PROCEDURES), (HUYEN, DISTRICTS))


def _units() -> tuple[Unit, ...]:
    return tuple(Unit(f"LC-{c}", name, group) for group, rows in _table() for c, name, *_ in rows)


def _results() -> tuple[Result, ...]:
    out = []
    for _group, rows in _table():
        for code, _name, before, after, is_published in rows:
            out.append(Result(f"LC-{code}", PERIODS[0], before))
            out.append(Result(f"LC-{code}", PERIODS[1], after, is_published))
    return tuple(out)


MANIFEST = {
    "title": "Lào Cai — kết quả xếp hạng mức độ chuyển đổi số năm 2023 (và năm 2022)",
    "province": "Lào Cai",
    "decision": {"number": "684/QĐ-UBND", "date": "2024-04-03", "issuer": "UBND tỉnh Lào Cai"},
    "framework_decision": [
        {"number": "2644/QĐ-UBND", "date": "2022-11-07", "issuer": "UBND tỉnh Lào Cai"},
        {"number": "3019/QĐ-UBND", "date": "2023-11-28", "issuer": "UBND tỉnh Lào Cai"},
    ],
    "sources": [
        {
            "title": "Xếp hạng chuyển đổi số các cơ quan Đảng, Nhà nước, Mặt trận Tổ quốc, các tổ "
            "chức chính trị - xã hội cấp tỉnh và cấp huyện",
            "seed": "003_32452c6800047d7c",
        },
        {
            "title": "Kết quả DTI 2023 (Sở LĐ-TB&XH 731,61/1000; 17/18 cơ quan có TTHC ở mức nâng "
            "cao)",
            "url": "https://www.doingoailaocai.vn/vi/bai-viet/19124",
            "note": "quoted in the reference notes (lao-cai-2644-2022-3019-2023.md)",
        },
    ],
    "periods": list(PERIODS),
    "published": [
        {
            "group": CO,
            "period": "2023",
            "leaders_in_order": [f"LC-{r[0]}" for r in WITH_PROCEDURES[:5]],
        },
        {"unit": "LC-SLDTBXH", "period": "2023", "score": 731.61, "band": "nang_cao"},
        {"group": CO, "period": "2023", "n": 18, "band_nang_cao": 17},
        {
            "group": KHONG,
            "period": "2023",
            "leaders_in_order": [f"LC-{r[0]}" for r in WITHOUT_PROCEDURES[:5]],
            "mean_change_percent": 11.1,
        },
        {
            "group": HUYEN,
            "period": "2023",
            "leaders_in_order": [f"LC-{r[0]}" for r in DISTRICTS[:3]],
        },
        {
            "unit": "LC-TPLAOCAI",
            "period": "2023",
            "score": 760.39,
            "band": "dan_dat",
            "only_in_band": True,
        },
        {"period": "2023", "all_group_means_above_percent": 50},
    ],
    "notes": [
        "All 2022 scores and the 2023 scores not listed above are reconstructed; the 2022 scores "
        "of the bodies without procedures are chosen so that their average rises by 11,1 %.",
        "Which bodies sit in each group beyond the published leaders is reconstructed (18 with "
        "procedures as in the results article; 14 without).",
        "Both years are scored on one tree (the 2023 set 3019/QĐ-UBND was not obtained).",
    ],
}

SPEC = DatasetSpec(
    name="lao-cai-2023",
    manifest=MANIFEST,
    frameworks={
        CO: PROVINCIAL_FRAMEWORK.file,
        KHONG: PROVINCIAL_FRAMEWORK.file,
        HUYEN: "dti-cap-huyen-2022",
    },
    levels={CO: "so", KHONG: "so", HUYEN: "huyen"},
    units=_units(),
    results=_results(),
    derived=(PROVINCIAL_FRAMEWORK,),
)
