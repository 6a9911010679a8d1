#!/usr/bin/env python3
"""Drives the console of a running gateway in the system Chromium, as a privacy officer, to
review a held message by its content: the held list says why it is held, the review page
shows the values the recipient would receive, and Approve releases it. A screenshot of each
step is saved. Exit 0 on success, 1 with the failed step otherwise.

    python3 console_held_review_browser.py --url https://localhost:PORT --p12 officer.p12 \
        --password accord-dev --ca ca.pem --out /tmp/shots --reason subject.is_child \
        --value Tuilagi --value Mele --withheld informant.name
"""
import argparse
import os
import sys

from chromium import certificate_auto_selected, chromium

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--p12", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--reason", required=True, help="text the held list must give as the reason")
    parser.add_argument("--value", action="append", default=[], help="a value the review page must show")
    parser.add_argument("--withheld", action="append", default=[], help="a withheld path the review page must name")
    parser.add_argument("--hidden", action="append", default=[], help="a value that must appear on no page")
    args = parser.parse_args()

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def wait_for(driver, text, seconds=60):
        WebDriverWait(driver, seconds).until(lambda d: text in d.page_source)

    os.makedirs(args.out, exist_ok=True)
    origin = args.url.rstrip("/")
    step = "write the Chromium policy that selects the certificate"
    try:
        with certificate_auto_selected("held-review-test"):
            step = "start Chromium"
            with chromium(args.ca, p12=args.p12, p12_password=args.password,
                          failure_screenshot=os.path.join(args.out, "failed.png")) as driver:
                step = "open the held messages"
                driver.get(origin + "/")
                driver.find_element(By.LINK_TEXT, "Held messages").click()
                wait_for(driver, "Held because")
                body = driver.find_element(By.TAG_NAME, "body").text
                assert args.reason in body, body[:1000]
                for value in args.value + args.hidden:
                    assert value not in driver.page_source, "the list of held messages shows a value"
                driver.save_screenshot(os.path.join(args.out, "1-held.png"))

                step = "open the content for review"
                driver.find_element(By.PARTIAL_LINK_TEXT, "Review the content").click()
                wait_for(driver, "would receive")
                body = driver.find_element(By.TAG_NAME, "body").text
                for value in args.value:
                    assert value in body, "the review page does not show %s" % value
                for path in args.withheld:
                    assert path in body, "the review page does not name the withheld %s" % path
                for value in args.hidden:
                    assert value not in driver.page_source, "the review page shows a withheld value"
                driver.save_screenshot(os.path.join(args.out, "2-review.png"))

                step = "approve it"
                driver.find_element(By.XPATH, "//button[normalize-space()='Approve']").click()
                wait_for(driver, "released for delivery")
                driver.save_screenshot(os.path.join(args.out, "3-released.png"))
    except Exception as error:  # report the step; chromium() kept a screenshot of where it stopped
        print("browser test failed at '%s': %r" % (step, error))
        return 1
    print("browser test passed; screenshots in %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
