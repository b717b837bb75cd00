#!/usr/bin/python3
"""Train Plateward's plate recogniser (platenet) on synthetic set files.

Reads set files written by `alpr fixtures trainset` (format: the Go package
fixtures/synth), trains a small CNN with two heads -- CTC over the plate
alphabet and a plate / not-a-plate logit -- on CPU, and exports ONNX for
ONNX Runtime (edge/ocr's platenet). Uses only Debian 12's python3-torch
(1.13), python3-numpy and python3-onnx. Run by `make train`.
"""
import argparse
import json
import math
import os
import random
import sys
import time

# The Makefile exports OMP_THREAD_LIMIT=1 for Tesseract; with it, this
# PyTorch's OpenMP runtime finishes training and then hangs at exit.
# Training sets its own thread count (--threads).
os.environ.pop("OMP_THREAD_LIMIT", None)

import numpy as np  # noqa: E402  (after the environment is fixed)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# Part of the model's contract with edge/ocr/platenet.go: class 0 is the
# CTC blank, then these characters (no O: plates read O as 0).
ALPHABET = "0123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
MAX_TEXT = 8
MAGIC = b"PWSYN1\n"


def load_set(path):
    """Read a set file: records of kind (1 plate, 2 part of a plate, 0 other
    non-plate; version 1 has no 2), text length, text and pixels."""
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            sys.exit(f"{path}: not a set file")
        hdr = json.loads(f.readline())
        off = f.tell()
    if hdr["version"] not in (1, 2):
        sys.exit(f"{path}: set version {hdr['version']}, want 1 or 2")
    h, w, n = hdr["height"], hdr["width"], hdr["count"]
    rec = np.dtype([("plate", "u1"), ("len", "u1"), ("text", "u1", (MAX_TEXT,)), ("px", "u1", (h, w))])
    size = os.path.getsize(path)
    if off + n * rec.itemsize > size:
        sys.exit(f"{path}: torn: {n} records announced, {(size - off) // rec.itemsize} present")
    # Read whole: batches pick records at random, and a mapped file the
    # page cache has dropped turns every step into random disk reads.
    with open(path, "rb") as f:
        f.seek(off)
        return np.fromfile(f, dtype=rec, count=n), hdr


def block(i, o):
    return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]


class PlateNet(nn.Module):
    """32x128 grey in; per-step class probabilities (T=32) and P(plate) out."""

    def __init__(self, width=1.0):
        super().__init__()
        c = [int(x * width) for x in (16, 32, 64, 64, 96, 128)]
        self.cnn = nn.Sequential(
            *block(1, c[0]), nn.MaxPool2d(2),            # 16x64
            *block(c[0], c[1]), nn.MaxPool2d(2),         # 8x32
            *block(c[1], c[2]), *block(c[2], c[3]), nn.MaxPool2d((2, 1)),  # 4x32
            *block(c[3], c[4]), nn.MaxPool2d((2, 1)),    # 2x32
            nn.Conv2d(c[4], c[5], (2, 1), bias=False), nn.BatchNorm2d(c[5]), nn.ReLU(inplace=True),  # 1x32
        )
        self.seq = nn.Sequential(
            nn.Conv1d(c[5], c[5], 3, padding=1, bias=False), nn.BatchNorm1d(c[5]), nn.ReLU(inplace=True),
            nn.Conv1d(c[5], c[5], 3, padding=1, bias=False), nn.BatchNorm1d(c[5]), nn.ReLU(inplace=True),
        )
        self.ctc = nn.Conv1d(c[5], len(ALPHABET) + 1, 1)
        self.plate = nn.Sequential(nn.Linear(2 * c[5], 64), nn.ReLU(inplace=True), nn.Linear(64, 1))

    def forward(self, x):
        f = self.cnn(x).squeeze(2)          # B x C x T
        f = f + self.seq(f)
        logits = self.ctc(f).permute(0, 2, 1)  # B x T x K
        pooled = torch.cat([f.mean(2), f.amax(2)], 1)
        return logits, self.plate(pooled).squeeze(1)


class Export(nn.Module):
    """What ONNX Runtime runs: probabilities, not logits."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        logits, plate = self.net(x)
        return F.softmax(logits, 2), torch.sigmoid(plate)


def batch_tensors(recs):
    x = torch.from_numpy(np.ascontiguousarray(recs["px"], dtype=np.float32)).unsqueeze(1) / 127.5 - 1
    kind = recs["plate"]
    plate = torch.from_numpy((kind == 1).astype(np.float32))
    part = torch.from_numpy(kind == 2)
    lens = torch.from_numpy(recs["len"].astype(np.int64))
    lut = np.zeros(256, np.int64)
    for i, ch in enumerate(ALPHABET):
        lut[ord(ch)] = i + 1
    targets = torch.from_numpy(lut[recs["text"]])
    return x, plate, part, lens, targets


def greedy(logits):
    best = logits.argmax(2).numpy()
    out = []
    for row in best:
        s, prev = [], 0
        for k in row:
            if k != prev and k != 0:
                s.append(ALPHABET[k - 1])
            prev = k
        out.append("".join(s))
    return out


def evaluate(net, recs):
    net.eval()
    ok = n = pos = plate_ok = 0
    with torch.no_grad():
        for i in range(0, len(recs), 256):
            r = recs[i:i + 256]
            x, plate, _, lens, targets = batch_tensors(r)
            logits, p = net(x)
            texts = greedy(logits)
            for j, t in enumerate(texts):
                truth = bytes(r["text"][j][: r["len"][j]]).decode()
                if plate[j] > 0.5:
                    pos += 1
                    ok += t == truth
                plate_ok += (p[j].item() > 0) == bool(plate[j] > 0.5)
                n += 1
    net.train()
    return ok / max(1, pos), plate_ok / max(1, n)


def export(net, path):
    net.eval()
    tmp = path + ".tmp"
    torch.onnx.export(Export(net), torch.zeros(1, 1, 32, 128), tmp, input_names=["image"],
                      output_names=["probs", "plate"], dynamic_axes={"image": {0: "n"}, "probs": {0: "n"}, "plate": {0: "n"}},
                      opset_version=13, do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(tmp))
    os.replace(tmp, path)
    net.train()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--set", action="append", required=True, help="set file (repeatable)")
    ap.add_argument("--out", required=True, help="ONNX file to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--val", type=int, default=2000, help="samples of the first set kept out for validation")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (smoke test)")
    ap.add_argument("--ctc-on", choices=["all", "plates", "text"], default="all",
                    help="CTC loss on every sample (not a plate: an empty reading), on plates only, "
                         "or on every sample but parts of plates (text; set version 2)")
    ap.add_argument("--minutes", type=float, default=0, help="fit the run to this wall time (measured over the first 200 steps)")
    ap.add_argument("--checkpoint-minutes", type=float, default=10)
    ap.add_argument("--log", default="", help="JSON-lines log of the run")
    a = ap.parse_args()

    torch.manual_seed(a.seed)
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(a.threads)
    sets = [load_set(p)[0] for p in a.set]
    val = sets[0][: a.val]
    train = [sets[0][a.val:]] + sets[1:]
    index = [(k, i) for k, s in enumerate(train) for i in range(len(s))]
    steps_per_epoch = len(index) // a.batch
    total = int(a.epochs * steps_per_epoch)
    if a.max_steps:
        total = min(total, a.max_steps)
    net = PlateNet()
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    warm = 300

    def lr_at(step):
        # Linear warm-up, then cosine down to 1 %: a function of the
        # current total, which --minutes may shorten after 200 steps.
        if step < warm:
            return a.lr * (step + 1) / warm
        t = min(1.0, (step - warm) / max(1, total - warm))
        return a.lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * t)))
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    log = open(a.log, "a") if a.log else None
    rng = np.random.default_rng(a.seed)
    start = last_ck = time.time()
    step = 0
    params = sum(p.numel() for p in net.parameters())
    print(f"platenet: {params} parameters, {len(index)} training samples, {total} steps of {a.batch}", flush=True)
    while step < total:
        order = rng.permutation(len(index))
        for b in range(steps_per_epoch):
            if step >= total:
                break
            picks = sorted(index[i] for i in order[b * a.batch:(b + 1) * a.batch])
            recs = np.concatenate([train[k][[i for kk, i in picks if kk == k]] for k in range(len(train))])
            x, plate, part, lens, targets = batch_tensors(recs)
            logits, p = net(x)
            # --ctc-on all (the shipped model): a sample that is not a
            # plate teaches an empty reading, and the plate head learnt the
            # better gate (dev scenes: 1.8 junk reads per 100 against 5.3).
            # --ctc-on plates reads better (real crops alone: 67.6 % against
            # 61.6 %): part of a plate no longer teaches it to drop what it
            # sees. --ctc-on text (set version 2) does both: plates teach
            # their text and every other non-plate the empty reading, but
            # not parts of plates. See edge/models/PLATENET.md.
            if a.ctc_on == "plates":
                pos = plate > 0.5
            elif a.ctc_on == "text":
                pos = ~part
            else:
                pos = torch.ones_like(plate, dtype=torch.bool)
            lp = F.log_softmax(logits[pos], 2).permute(1, 0, 2)  # T x P x K
            pl = lens[pos]
            tgt = torch.cat([targets[pos][j, : pl[j]] for j in range(len(pl))])
            l_ctc = ctc(lp, tgt, torch.full((len(pl),), lp.shape[0], dtype=torch.long), pl)
            l_plate = F.binary_cross_entropy_with_logits(p, plate)
            loss = l_ctc + l_plate
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5)
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            opt.step()
            step += 1
            if step == 200 and a.minutes:
                fit = int((a.minutes * 60 - (time.time() - start)) / (time.time() - start) * 200) + 200
                if fit < total:
                    total = fit
                    print(f"platenet: {total} steps fit {a.minutes} minutes", flush=True)
            if step % 100 == 0 or step == total:
                el = time.time() - start
                rec = {"step": step, "of": total, "ctc": round(l_ctc.item(), 4), "plate": round(l_plate.item(), 4),
                       "lr": round(lr_at(step), 6), "s": round(el), "samples_per_s": round(step * a.batch / el, 1)}
                if step % 1000 == 0 or step == total:
                    rec["val_exact"], rec["val_plate"] = evaluate(net, val)
                print(json.dumps(rec), flush=True)
                if log:
                    log.write(json.dumps(rec) + "\n")
                    log.flush()
            if time.time() - last_ck > a.checkpoint_minutes * 60:
                export(net, a.out)
                torch.save(net.state_dict(), a.out + ".pt")
                last_ck = time.time()
    export(net, a.out)
    torch.save(net.state_dict(), a.out + ".pt")
    exact, plate_acc = evaluate(net, val)
    summary = {"done": True, "steps": step, "parameters": params, "wall_s": round(time.time() - start),
               "val_exact": exact, "val_plate": plate_acc, "seed": a.seed, "epochs": a.epochs, "batch": a.batch}
    print(json.dumps(summary), flush=True)
    if log:
        log.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
