#!/usr/bin/python3
"""Reference optical flow for test/face-flow.test.ts, computed by OpenCV itself (Debian's python3-opencv).

Reads the job that scripts/make-face-flow-reference.mjs writes (raw RGB frames and the region boxes placed by the face
mesh), converts each frame to grey (cv2.cvtColor RGB2GRAY), runs cv2.calcOpticalFlowFarneback on the WHOLE frame pair
with the parameters mmprep uses, and prints, per pair and region, the mean flow vector and mean magnitude inside the box
(pixels per frame). mmprep computes the same flow on a crop around the face with @techstark/opencv-js (WASM); the
test compares the two within a stated tolerance. Usage: /usr/bin/python3 scripts/face-flow-reference.py job.json
"""
import json
import sys

import cv2
import numpy as np


def main(job_path):
    with open(job_path) as f:
        job = json.load(f)
    w, h, p = job["width"], job["height"], job["farneback"]
    out = []
    for pair in job["pairs"]:
        grey = []
        for raw in (pair["prev_rgb"], pair["next_rgb"]):
            rgb = np.fromfile(raw, dtype=np.uint8).reshape(h, w, 3)
            grey.append(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
        flow = cv2.calcOpticalFlowFarneback(grey[0], grey[1], None, p["pyrScale"], p["levels"], p["winSize"],
                                            p["iterations"], p["polyN"], p["polySigma"], p["flags"])
        regions = {}
        for name, box in pair["boxes"].items():
            if box is None:
                regions[name] = None
                continue
            x0, y0, x1, y1 = box
            f = flow[y0:y1, x0:x1].astype(np.float64)
            regions[name] = {
                "dx": float(f[..., 0].mean()),
                "dy": float(f[..., 1].mean()),
                "mag": float(np.hypot(f[..., 0], f[..., 1]).mean()),
            }
        out.append({"prev": pair["prev"], "next": pair["next"], "regions": regions})
    json.dump({"opencv": cv2.__version__, "numpy": np.__version__, "pairs": out}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
