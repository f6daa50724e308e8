"""Province-level codes (GB/T 2260, digits 1-2 of the citizen ID number)."""

# Names in Simplified Chinese (the official form), in Traditional Chinese (as Hong Kong writes
# them) and in English; the display layer picks one by the reader's language.
PROVINCES: dict[str, tuple[str, str, str]] = {
    "11": ("北京市", "北京市", "Beijing"),
    "12": ("天津市", "天津市", "Tianjin"),
    "13": ("河北省", "河北省", "Hebei"),
    "14": ("山西省", "山西省", "Shanxi"),
    "15": ("内蒙古自治区", "內蒙古自治區", "Inner Mongolia"),
    "21": ("辽宁省", "遼寧省", "Liaoning"),
    "22": ("吉林省", "吉林省", "Jilin"),
    "23": ("黑龙江省", "黑龍江省", "Heilongjiang"),
    "31": ("上海市", "上海市", "Shanghai"),
    "32": ("江苏省", "江蘇省", "Jiangsu"),
    "33": ("浙江省", "浙江省", "Zhejiang"),
    "34": ("安徽省", "安徽省", "Anhui"),
    "35": ("福建省", "福建省", "Fujian"),
    "36": ("江西省", "江西省", "Jiangxi"),
    "37": ("山东省", "山東省", "Shandong"),
    "41": ("河南省", "河南省", "Henan"),
    "42": ("湖北省", "湖北省", "Hubei"),
    "43": ("湖南省", "湖南省", "Hunan"),
    "44": ("广东省", "廣東省", "Guangdong"),
    "45": ("广西壮族自治区", "廣西壯族自治區", "Guangxi"),
    "46": ("海南省", "海南省", "Hainan"),
    "50": ("重庆市", "重慶市", "Chongqing"),
    "51": ("四川省", "四川省", "Sichuan"),
    "52": ("贵州省", "貴州省", "Guizhou"),
    "53": ("云南省", "雲南省", "Yunnan"),
    "54": ("西藏自治区", "西藏自治區", "Tibet"),
    "61": ("陕西省", "陝西省", "Shaanxi"),
    "62": ("甘肃省", "甘肅省", "Gansu"),
    "63": ("青海省", "青海省", "Qinghai"),
    "64": ("宁夏回族自治区", "寧夏回族自治區", "Ningxia"),
    "65": ("新疆维吾尔自治区", "新疆維吾爾自治區", "Xinjiang"),
    "71": ("台湾省", "台灣省", "Taiwan"),
    "81": ("香港特别行政区", "香港特別行政區", "Hong Kong"),
    "82": ("澳门特别行政区", "澳門特別行政區", "Macao"),
    "83": ("台湾地区居民", "台灣地區居民", "Taiwan residents"),
}

# Codes whose holders cannot hold a mainland resident ID card: 81/82/83 are the
# residence-permit numbers of Hong Kong, Macao and Taiwan residents; 71 is kept
# in the standard but not issued for resident cards.
NON_RESIDENT_CODES = frozenset({"71", "81", "82", "83"})

# Provinces where a citizen can hold a household registration (户籍) and so
# apply for a resident ID card: the list the kiosk offers.
MAINLAND_CODES = tuple(code for code in PROVINCES if code not in NON_RESIDENT_CODES)


def province_name(code: str, language: str = "zh_Hans") -> str:
    """The province's name in a kiosk language (zh_Hans, zh_Hant, en): 广东省, 廣東省, Guangdong."""
    simplified, traditional, latin = PROVINCES[code]
    return {"zh_Hant": traditional, "en": latin}.get(language, simplified)
