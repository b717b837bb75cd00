#!/usr/bin/python3
"""Choose a setting on four folds, report it on the fifth.

Each input file holds one `alpr bench accuracy --folds 5 --json` result of
one setting; the setting's name is the file's name. For every fold k, the
setting with the best score over the other folds (pooled by images) is
chosen and its figures on fold k are reported: a setting that only fits
the folds it was chosen on shows here. The score, in points:

    top-1 + top-10/4 + detection/4 - junk_per_100/5

an exact read counts most; a plate found, or its truth among the
candidates (a hot-list match by look-alikes), counts a quarter; five junk
reads per 100 scenes cost a point. Ties go to the setting named first.

    train/choose.py var/tune/*.json
"""
import json
import os
import sys


def pooled(folds, keep):
    n = sum(f["images"] for i, f in enumerate(folds) if keep(i))
    get = lambda k: sum(f[k] * f["images"] for i, f in enumerate(folds) if keep(i)) / n
    return {"top1": get("top1"), "topn": get("topn"), "junk": get("junk_per_100"), "det": get("detection"), "n": n}


def score(p):
    return 100 * p["top1"] + 25 * p["topn"] + 25 * p["det"] - p["junk"] / 5


def main():
    runs = {}
    for path in sys.argv[1:]:
        with open(path) as f:
            runs[os.path.splitext(os.path.basename(path))[0]] = json.load(f)
    names = sorted(runs)
    k = len(runs[names[0]]["folds"])
    print("setting".ljust(28), "all: top-1 top-10  det  junk/100  score | top-1 by fold")
    for name in names:
        r = runs[name]
        p = pooled(r["folds"], lambda i: True)
        per = " ".join(f"{100 * f['top1']:5.1f}" for f in r["folds"])
        print(name.ljust(28), f"{100 * p['top1']:10.1f} {100 * p['topn']:6.1f} {100 * p['det']:5.1f} {p['junk']:9.1f} {score(p):6.1f} |", per)
    print()
    total_n = top = topn = junk = det = 0
    for held in range(k):
        best = max(names, key=lambda s: (round(score(pooled(runs[s]["folds"], lambda i: i != held)), 6), -names.index(s)))
        f = runs[best]["folds"][held]
        print(f"fold {held + 1}: chosen on the other four: {best:28s} -> top-1 {100 * f['top1']:.1f} %, junk {f['junk_per_100']:.1f}/100, detection {100 * f['detection']:.1f} %")
        total_n += f["images"]
        top += f["top1"] * f["images"]
        junk += f["junk_per_100"] * f["images"]
        det += f["detection"] * f["images"]
        topn += f["topn"] * f["images"]
    print(f"cross-validated (each fold scored with the setting chosen without it): top-1 {100 * top / total_n:.1f} %, top-10 {100 * topn / total_n:.1f} %, "
          f"junk {junk / total_n:.1f}/100, detection {100 * det / total_n:.1f} %")


if __name__ == "__main__":
    main()
