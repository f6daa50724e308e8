"""`python -m photo check IMAGE [--json]` and `python -m photo crop IMAGE -o OUT.jpg`.

Exit status: 0 compliant (photo written), 1 not compliant (the failed checks are listed),
2 unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from photo.analysis import analyse, make_id_photo
from photo.errors import PhotoNotCompliant, UnreadableImage
from photo.messages import DEFAULT_LANGUAGE, LANGUAGES
from photo.report import Check, Report

EXIT_OK, EXIT_NOT_COMPLIANT, EXIT_UNREADABLE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args.image, args.json, args.lang)
        return _crop(args.image, args.output, args.lang)
    except UnreadableImage as error:
        print(f"{args.image}: {error}", file=sys.stderr)
        return EXIT_UNREADABLE


def _check(image: Path, as_json: bool, lang: str) -> int:
    report = analyse(image)
    if as_json:
        print(json.dumps(report.to_dict(lang), ensure_ascii=False))
    else:
        print(_describe(report, lang))
    return EXIT_OK if report.ok else EXIT_NOT_COMPLIANT


def _crop(image: Path, output: Path, lang: str) -> int:
    try:
        jpeg = make_id_photo(image)
    except PhotoNotCompliant as error:
        print("\n".join(_describe_check(check, lang) for check in error.failures), file=sys.stderr)
        return EXIT_NOT_COMPLIANT
    output.write_bytes(jpeg)
    print(f"{output}: {len(jpeg)} bytes")
    return EXIT_OK


def _describe(report: Report, lang: str) -> str:
    verdict = "compliant" if report.ok else "NOT compliant"
    lines = [f"{verdict}; crop [x, y, w, h] = {list(report.crop) if report.crop else None}"]
    return "\n".join(lines + [_describe_check(check, lang) for check in report.checks])


def _describe_check(check: Check, lang: str) -> str:
    low, high = ("" if end is None else end for end in check.limit)
    line = f"{'ok  ' if check.ok else 'FAIL'} {check.name:<17} {check.value!s:>9}  [{low}, {high}]"
    return line if check.ok else f"{line}  {check.message(lang)}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m photo", description="ID-photo checks (GA 461) and crop.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a picture; exit 0 compliant, 1 not, 2 unreadable")
    check.add_argument("image", type=Path)
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    crop = commands.add_parser("crop", help="write the 358x441 ID photo; exit 1 listing failed checks")
    crop.add_argument("image", type=Path)
    crop.add_argument("-o", "--output", type=Path, required=True)
    for command in (check, crop):
        command.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, help="language of the advice")
    return parser


if __name__ == "__main__":
    sys.exit(main())
