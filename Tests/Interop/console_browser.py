#!/usr/bin/env python3
"""Drives the Accord console in the system Chromium over mutual TLS, as a privacy officer.

The operator's PKCS#12 file is imported into a temporary NSS database (the one Chromium on
Linux reads from $HOME/.pki/nssdb), the development CA is trusted there, and a managed policy
(AutoSelectCertificateForUrls) makes Chromium present the certificate without a dialog. The
script signs in, searches the audit log for a passport, approves a held message, runs a
verification and follows its self-refreshing progress page, and saves a screenshot of each step. Exit 0 on success, 1 with the failed step otherwise.

    python3 console_browser.py --url https://localhost:PORT --p12 officer.p12 --password accord-dev \
        --ca ca.pem --out /tmp/shots
"""
import argparse
import os
import sys

from chromium import certificate_auto_selected, chromium, search_audit

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--p12", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--subject", default="passport=NZ4455667")
    args = parser.parse_args()

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def wait_for(driver, text, seconds=60):
        """Clicks return before the next page has loaded: wait for what that page shows."""
        WebDriverWait(driver, seconds).until(lambda d: text in d.page_source)

    os.makedirs(args.out, exist_ok=True)
    origin = args.url.rstrip("/")
    step = "write the Chromium policy that selects the certificate"
    try:
        with certificate_auto_selected("console-test"):
            step = "start Chromium"
            with chromium(args.ca, p12=args.p12, p12_password=args.password,
                          failure_screenshot=os.path.join(args.out, "failed.png")) as driver:
                step = "sign in with the operator certificate"
                driver.get(origin + "/")
                body = driver.find_element(By.TAG_NAME, "body").text
                assert "Signed in as officer" in body, body[:500]
                driver.save_screenshot(os.path.join(args.out, "1-overview.png"))

                step = "search the audit log by subject"
                search_audit(driver, args.subject)
                assert "included (checkpoint of" in driver.page_source
                driver.save_screenshot(os.path.join(args.out, "2-audit-search.png"))

                step = "approve a held message"
                driver.find_element(By.LINK_TEXT, "Held messages").click()
                driver.save_screenshot(os.path.join(args.out, "3-held.png"))
                driver.find_element(By.XPATH, "//button[normalize-space()='Approve']").click()
                wait_for(driver, "released for delivery")
                body = driver.find_element(By.TAG_NAME, "body").text
                assert "released for delivery" in body, body[:500]
                driver.save_screenshot(os.path.join(args.out, "4-approved.png"))

                step = "run a verification and follow its progress page"
                driver.find_element(By.LINK_TEXT, "Integrity").click()
                driver.find_element(By.XPATH, "//button[normalize-space()='Run verification']").click()
                # The form redirects to the run's own page, which reloads itself (meta refresh) until done.
                WebDriverWait(driver, 20).until(lambda d: "/integrity/runs/" in d.current_url)
                assert driver.find_elements(By.ID, "verify-progress"), "no progress element"
                wait_for(driver, "The log is intact.", seconds=60)
                assert 'http-equiv="refresh"' not in driver.page_source, "a finished run still refreshes"
                driver.save_screenshot(os.path.join(args.out, "5-integrity.png"))
    except Exception as error:  # report the step; chromium() kept a screenshot of where it stopped
        print("browser test failed at '%s': %r" % (step, error))
        return 1
    print("browser test passed; screenshots in %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
