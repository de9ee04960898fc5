#!/usr/bin/env python3
"""smtp_hold.py - an SMTP client that stops in the middle of a message.

    smtp_hold.py PORT FROM TO READY GO [WAIT_S]

Connects to 127.0.0.1:PORT, says EHLO, MAIL FROM and RCPT TO, creates the
file READY, then waits (at most WAIT_S seconds, default 30) for the file GO
before sending the message.  Prints one line per step: "STEP CODE TEXT".
Lets a test change the server side (reload, stop) while a message is in
flight.
"""
import os
import smtplib
import sys
import time


def step(name, reply):
    code, text = reply
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    print(f"{name} {code} {text}", flush=True)
    return code


def main():
    port, sender, rcpt, ready, go = sys.argv[1:6]
    wait_s = float(sys.argv[6]) if len(sys.argv) > 6 else 30.0
    s = smtplib.SMTP("127.0.0.1", int(port), timeout=90)
    step("EHLO", s.ehlo("mx.hold.test"))
    ok = step("MAIL", s.mail(sender)) == 250 and step("RCPT", s.rcpt(rcpt)) == 250
    with open(ready, "w") as f:
        f.write("ready\n")
    if not ok:
        return 1
    deadline = time.monotonic() + wait_s
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        if step("DATA", s.docmd("DATA")) != 354:
            return 1
        body = (f"From: <{sender}>\r\nTo: <{rcpt}>\r\n"
                f"Subject: held\r\nX-Test: {os.path.basename(go)}\r\n\r\nheld\r\n.\r\n")
        s.send(body)
        step("DOT", s.getreply())
        s.quit()
    except (smtplib.SMTPException, OSError) as e:
        print(f"ERROR {e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
