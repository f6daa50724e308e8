"""What to tell the person in front of the camera, per failed check, in the kiosk's languages.

Kept here rather than in the kiosk's Babel catalogues so that the library stays free of Flask;
the kiosk chooses the language with `Check.message(lang)` or `Report.to_dict(lang)`.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh_Hans", "zh_Hant", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh_Hans", "zh_Hant", "en")
DEFAULT_LANGUAGE: Lang = "zh_Hans"

MESSAGES: dict[str, dict[Lang, str]] = {
    "face_count.none": {
        "zh_Hans": "没有检测到人脸，请正对摄像头",
        "zh_Hant": "沒有偵測到人臉，請正對鏡頭",
        "en": "No face found: please look straight at the camera",
    },
    "face_count.many": {
        "zh_Hans": "画面中只能有一个人",
        "zh_Hant": "畫面中只能有一個人",
        "en": "Only one person may be in the picture",
    },
    "face_size.too_small": {
        "zh_Hans": "请靠近一点",
        "zh_Hant": "請靠近一點",
        "en": "Please move closer",
    },
    "face_size.too_large": {
        "zh_Hans": "请后退一点",
        "zh_Hant": "請後退一點",
        "en": "Please move back a little",
    },
    "face_centre": {
        "zh_Hans": "请坐在正中间",
        "zh_Hant": "請坐在正中間",
        "en": "Please sit in the middle",
    },
    "eye_line": {
        "zh_Hans": "请坐直，或把座椅调高一点",
        "zh_Hant": "請坐直，或把座椅調高一點",
        "en": "Please sit up straight or raise the seat a little",
    },
    "crown_margin.too_small": {
        "zh_Hans": "头部太靠上，请把座椅调低一点",
        "zh_Hant": "頭部太靠上，請把座椅調低一點",
        "en": "Your head is too high: please lower the seat a little",
    },
    "crown_margin.too_large": {
        "zh_Hans": "头部太靠下，请坐直或把座椅调高一点",
        "zh_Hant": "頭部太靠下，請坐直或把座椅調高一點",
        "en": "Your head is too low: please sit up straight or raise the seat a little",
    },
    "roll": {
        "zh_Hans": "请不要歪头，保持头部端正",
        "zh_Hant": "請不要歪頭，保持頭部端正",
        "en": "Please tilt your head less and keep it straight",
    },
    "yaw": {
        "zh_Hans": "请正对摄像头，不要侧脸",
        "zh_Hant": "請正對鏡頭，不要側臉",
        "en": "Please face the camera directly, not turned to the side",
    },
    "background_light": {
        "zh_Hans": "背景太暗，需要白色背景",
        "zh_Hant": "背景太暗，需要白色背景",
        "en": "The background is too dark: it must be white",
    },
    "background_even": {
        "zh_Hans": "背景不干净，请确保身后没有人或物品",
        "zh_Hant": "背景不乾淨，請確保身後沒有人或物品",
        "en": "The background is not plain: make sure nothing and nobody is behind you",
    },
    "exposure.too_dark": {
        "zh_Hans": "光线太暗",
        "zh_Hant": "光線太暗",
        "en": "The light is too dark",
    },
    "exposure.too_bright": {
        "zh_Hans": "光线太亮",
        "zh_Hant": "光線太亮",
        "en": "The light is too bright",
    },
    "clipping": {
        "zh_Hans": "脸上有过亮或过暗的地方，请避免反光和阴影",
        "zh_Hant": "臉上有過亮或過暗的地方，請避免反光和陰影",
        "en": "Parts of your face are too bright or too dark: avoid glare and shadows",
    },
    "even_lighting": {
        "zh_Hans": "脸部光线不均匀，一侧太暗",
        "zh_Hant": "臉部光線不均勻，一側太暗",
        "en": "The light on your face is uneven: one side is too dark",
    },
    "sharpness": {
        "zh_Hans": "照片模糊，请保持不动",
        "zh_Hant": "照片模糊，請保持不動",
        "en": "The picture is blurred: please hold still",
    },
    "clothing": {
        "zh_Hans": "请穿深色上衣，白色上衣会与背景混在一起",
        "zh_Hant": "請穿深色上衣，白色上衣會與背景混在一起",
        "en": "Please wear a darker top: a white top merges with the background",
    },
}


def message(key: str, lang: str = DEFAULT_LANGUAGE) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return MESSAGES[key][lang]
