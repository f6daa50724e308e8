"""Province-level codes (GB/T 2260, digits 1-2 of the citizen ID number)."""

# Names are given in Simplified Chinese (the official form) and English; the
# display layer picks one by locale.
PROVINCES: dict[str, tuple[str, str]] = {
    "11": ("北京市", "Beijing"),
    "12": ("天津市", "Tianjin"),
    "13": ("河北省", "Hebei"),
    "14": ("山西省", "Shanxi"),
    "15": ("内蒙古自治区", "Inner Mongolia"),
    "21": ("辽宁省", "Liaoning"),
    "22": ("吉林省", "Jilin"),
    "23": ("黑龙江省", "Heilongjiang"),
    "31": ("上海市", "Shanghai"),
    "32": ("江苏省", "Jiangsu"),
    "33": ("浙江省", "Zhejiang"),
    "34": ("安徽省", "Anhui"),
    "35": ("福建省", "Fujian"),
    "36": ("江西省", "Jiangxi"),
    "37": ("山东省", "Shandong"),
    "41": ("河南省", "Henan"),
    "42": ("湖北省", "Hubei"),
    "43": ("湖南省", "Hunan"),
    "44": ("广东省", "Guangdong"),
    "45": ("广西壮族自治区", "Guangxi"),
    "46": ("海南省", "Hainan"),
    "50": ("重庆市", "Chongqing"),
    "51": ("四川省", "Sichuan"),
    "52": ("贵州省", "Guizhou"),
    "53": ("云南省", "Yunnan"),
    "54": ("西藏自治区", "Tibet"),
    "61": ("陕西省", "Shaanxi"),
    "62": ("甘肃省", "Gansu"),
    "63": ("青海省", "Qinghai"),
    "64": ("宁夏回族自治区", "Ningxia"),
    "65": ("新疆维吾尔自治区", "Xinjiang"),
    "71": ("台湾省", "Taiwan"),
    "81": ("香港特别行政区", "Hong Kong"),
    "82": ("澳门特别行政区", "Macao"),
    "83": ("台湾地区居民", "Taiwan residents"),
}

# Codes whose holders cannot hold a mainland resident ID card: 81/82/83 are the
# residence-permit numbers of Hong Kong, Macao and Taiwan residents; 71 is kept
# in the standard but not issued for resident cards.
NON_RESIDENT_CODES = frozenset({"71", "81", "82", "83"})

# Provinces where a citizen can hold a household registration (户籍) and so
# apply for a resident ID card: the list the kiosk offers.
MAINLAND_CODES = tuple(code for code in PROVINCES if code not in NON_RESIDENT_CODES)


def province_name(code: str, english: bool = False) -> str:
    chinese, latin = PROVINCES[code]
    return latin if english else chinese
