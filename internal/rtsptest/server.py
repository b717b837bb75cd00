#!/usr/bin/python3
"""A real RTSP server for tests: GStreamer's (gst-rtsp-server, from Debian),
serving a video file as H.264 over RTP at rtsp://127.0.0.1:PORT/PATH, paced
at the file's frame rate, as a network camera sends it.

    /usr/bin/python3 server.py --file shift.avi --port 8554 --path front [--once]

Prints "ready rtsp://127.0.0.1:PORT/PATH" once it listens. The file is an
MJPEG AVI (the fixtures' video); it is decoded and encoded to H.264 for each
client, with a keyframe every half second.
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--file", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="front")
    ap.add_argument("--once", action="store_true",
                    help="serve one client, then refuse: a camera that goes away for good when its video ends")
    a = ap.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(a.port))
    factory = GstRtspServer.RTSPMediaFactory()
    loc = a.file.replace("\\", "\\\\").replace('"', '\\"')
    factory.set_launch(
        f'( filesrc location="{loc}" ! avidemux ! jpegdec ! videoconvert ! video/x-raw,format=I420 '
        "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=12 bframes=0 "
        "! rtph264pay name=pay0 pt=96 config-interval=1 )")
    factory.set_shared(False)
    mounts = server.get_mount_points()
    if a.once:
        # When the first client's stream is torn down (its video ended and
        # it hung up), the address goes: later clients get 404.
        def configured(_factory, media):
            media.connect("unprepared", lambda _m: mounts.remove_factory("/" + a.path))
        factory.connect("media-configure", configured)
    mounts.add_factory("/" + a.path, factory)
    if server.attach(None) == 0:
        sys.exit(f"rtsp server: cannot listen on 127.0.0.1:{a.port}")
    print(f"ready rtsp://127.0.0.1:{a.port}/{a.path}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
