#!/usr/bin/env python3
"""Holds the managed Chromium policy that another browser test writes, as when two run side by
side, until terminated: prints "holding" once the file is written, removes it on SIGTERM.

    python3 hold_chromium_policy.py NAME
"""
import signal
import sys
import time

from chromium import certificate_auto_selected


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with certificate_auto_selected(sys.argv[1]):
        print("holding", flush=True)
        while True:
            time.sleep(60)


if __name__ == "__main__":
    main()
