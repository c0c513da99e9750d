#!/usr/bin/python3
"""Peer of `obs validate` for the "validate" benchmark: the same image decode + pixel variance + YOLO label checks, with Pillow.

usage: /usr/bin/python3 validate_pillow.py <dataset-dir> [--draft]
--draft: JPEGs are decoded with Image.draft at the DCT scale Observatory uses (smallest 1/2, 1/4, 1/8 keeping the short side >= 48 px):
every entropy-coded block is still decoded, the inverse DCT runs on the reduced grid — the like-for-like setting.
Prints one JSON line: {"images", "labels", "errors", "warnings", "by_rule", "seconds"}.
Checks (same thresholds as Observatory's defaults): full decode (Image.load; truncated/corrupt -> error), size >= 10 px,
pixel variance (mean of R, G, B variances) < 1.0 -> near_constant, label pairing (images/ -> labels/, .txt), rows `class cx cy w h`, numbers, [0,1] range,
w,h > 0, box inside the image with 1 px tolerance, class id < len(classes.txt).
"""
import json
import os
import sys
import time

from PIL import Image, ImageStat

IMAGE_EXT = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


def label_path(root, rel):
    parts = rel.split("/")
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "images":
            parts[i] = "labels"
            break
    return os.path.join(root, os.path.splitext("/".join(parts))[0] + ".txt")


def check_label(path, width, height, nclasses, add):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    tol_x = 1.0 / width if width else 1e-3
    tol_y = 1.0 / height if height else 1e-3
    seen = {}
    for n, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 5:
            add("yolo.field_count", "error")
            continue
        try:
            cls = int(fields[0])
        except ValueError:
            add("yolo.class_id", "error")
            continue
        if cls < 0 or (nclasses and cls >= nclasses):
            add("yolo.class_id", "error")
        try:
            cx, cy, w, h = (float(v) for v in fields[1:])
        except ValueError:
            add("yolo.number", "error")
            continue
        key = " ".join(fields)
        if key in seen:
            add("yolo.duplicate_row", "warning")
        seen[key] = n
        if any(v < 0 or v > 1 for v in (cx, cy, w, h)):
            add("yolo.coordinate_range", "error")
            continue
        if w <= 0 or h <= 0:
            add("yolo.box_size", "error")
            continue
        if cx - w / 2 < -tol_x or cy - h / 2 < -tol_y or cx + w / 2 > 1 + tol_x or cy + h / 2 > 1 + tol_y:
            add("yolo.box_outside", "error")


def main():
    root = sys.argv[1]
    draft = "--draft" in sys.argv[2:]
    start = time.perf_counter()
    by_rule, totals = {}, {"error": 0, "warning": 0}

    def add(rule, severity):
        by_rule[rule] = by_rule.get(rule, 0) + 1
        totals[severity] += 1

    classes_txt = os.path.join(root, "classes.txt")
    nclasses = 0
    if os.path.exists(classes_txt):
        with open(classes_txt) as f:
            nclasses = sum(1 for line in f if line.strip())
    images = []
    for dirpath, _, files in os.walk(os.path.join(root, "images")):
        for name in files:
            if os.path.splitext(name)[1].lower() in IMAGE_EXT:
                images.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    images.sort()
    labels = 0
    for rel in images:
        width = height = 0
        try:
            with Image.open(os.path.join(root, rel)) as im:
                width, height = im.size
                if draft and im.format == "JPEG" and min(width, height) >= 96:
                    short = min(width, height)
                    im.draft("RGB", (max(1, width * 48 // short), max(1, height * 48 // short)))
                im.load()  # full decode: raises OSError on truncated or corrupt data
                stat = ImageStat.Stat(im.convert("RGB"))
                variance = sum(stat.var) / 3
            if width < 10 or height < 10:
                add("image.too_small", "error")
            if variance < 1.0:  # mean of the R, G, B variances, like min_pixel_variance
                add("image.near_constant", "warning")
        except Exception:  # noqa: BLE001 - any decoder failure is a finding
            add("image.corrupt", "error")
        lp = label_path(root, rel)
        if not os.path.exists(lp):
            add("pair.missing_label", "warning")
            continue
        labels += 1
        try:
            check_label(lp, width, height, nclasses, add)
        except UnicodeDecodeError:
            add("yolo.encoding", "error")
    seconds = time.perf_counter() - start
    print(json.dumps({"images": len(images), "labels": labels, "errors": totals["error"], "warnings": totals["warning"],
                      "by_rule": by_rule, "seconds": round(seconds, 3)}))


if __name__ == "__main__":
    main()
