#!/usr/bin/env python3
"""Drives the Accord console in the system Chromium with a local account: no client certificate.

Only the development CA is trusted (in a temporary NSS database); the browser holds no client
certificate. The script is sent to the sign-in page, types the name and password, checks that
the session cookie is Secure, HttpOnly and SameSite=Strict, searches the audit log and signs
out, saving a screenshot of each step. Then the administrator's account (--admin) signs in.
On every page the console has, axe-core 4.12 (the accessibility engine, as bundled in the
axe-playwright-python package, so nothing is fetched at test time) checks the rendered page against WCAG 2.2
A and AA rules; any violation fails the test. Exit 0 on success, 1 with the failed step otherwise.

    python3 console_browser_password.py --url https://localhost:PORT --name alice \
        --password '...' --ca ca.pem --out /tmp/shots
"""
import argparse
import json
import os
import re
import sys

from chromium import chromium, search_audit


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--subject", default="passport=NZ4455667")
    parser.add_argument("--admin", nargs=2, metavar=("NAME", "PASSWORD"), help="an administrator account, to check its pages too")
    args = parser.parse_args()

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    import importlib.util

    # Only the bundled axe.min.js is used, so the package is found without importing it (it
    # would want Playwright).
    bundle = importlib.util.find_spec("axe_playwright_python")
    if bundle is None:
        print("axe-playwright-python is not installed: pip install --no-deps -r Tests/Interop/requirements-no-deps.txt")
        return 1
    with open(os.path.join(bundle.submodule_search_locations[0], "axe.min.js")) as handle:
        axe_source = handle.read()

    def wait_for(driver, text, seconds=60):
        WebDriverWait(driver, seconds).until(lambda d: text in d.page_source)

    checked = []

    def evaluate(driver, expression, wait=False):
        # Through the DevTools protocol, which the page's Content-Security-Policy (no script at
        # all) does not govern, as it would an injected <script>.
        answer = driver.execute_cdp_cmd("Runtime.evaluate", {"expression": expression, "awaitPromise": wait, "returnByValue": True})
        if "exceptionDetails" in answer:
            raise AssertionError("axe-core failed: %r" % answer["exceptionDetails"])
        return answer["result"].get("value")

    def accessible(driver, page):
        """axe-core over the page as rendered: WCAG 2.0, 2.1 and 2.2 A and AA rules."""
        evaluate(driver, axe_source)
        # Tags this axe-core does not know would make it throw; use those it knows.
        found = json.loads(evaluate(driver, """
            (() => {
              const wanted = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
              const known = new Set(axe.getRules().flatMap(rule => rule.tags));
              return axe.run(document, {runOnly: {type: "tag", values: wanted.filter(tag => known.has(tag))}});
            })()
               .then(r => JSON.stringify(r.violations.map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join("; "))))
            """, wait=True))
        assert not found, "%s is not accessible: %s" % (page, found)
        checked.append(page)
        if len(checked) == 1:
            print("axe-core %s" % evaluate(driver, "axe.version"))

    def sign_in(driver, name, password):
        driver.get(origin + "/signin")
        wait_for(driver, "Account name")
        driver.find_element(By.ID, "name").send_keys(name)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click()
        wait_for(driver, "Signed in as")

    os.makedirs(args.out, exist_ok=True)
    origin = args.url.rstrip("/")
    step = "start Chromium"
    try:
        with chromium(args.ca, failure_screenshot=os.path.join(args.out, "password-failed.png")) as driver:
            step = "be sent to the sign-in page"
            driver.get(origin + "/audit")
            wait_for(driver, "Account name")
            assert driver.current_url.endswith("/signin"), driver.current_url
            driver.save_screenshot(os.path.join(args.out, "password-1-signin.png"))
            accessible(driver, "/signin")

            step = "a wrong password is refused"
            driver.find_element(By.ID, "name").send_keys(args.name)
            driver.find_element(By.ID, "password").send_keys("not the password")
            driver.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click()
            wait_for(driver, "do not match an account")
            assert not any(c["name"] == "__Host-accord-session" for c in driver.get_cookies())

            step = "sign in with the right password"
            driver.find_element(By.ID, "name").send_keys(args.name)
            driver.find_element(By.ID, "password").send_keys(args.password)
            driver.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click()
            wait_for(driver, "Signed in as")
            body = driver.find_element(By.TAG_NAME, "body").text
            assert "Signed in as " + args.name in body, body[:500]
            cookie = next(c for c in driver.get_cookies() if c["name"] == "__Host-accord-session")
            assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/", cookie
            assert "expiry" not in cookie, "the session cookie outlives the browser: %r" % cookie
            driver.save_screenshot(os.path.join(args.out, "password-2-overview.png"))
            accessible(driver, "/")

            step = "search the audit log by subject"
            search_audit(driver, args.subject)
            driver.save_screenshot(os.path.join(args.out, "password-3-search.png"))
            accessible(driver, "/audit (results)")
            for link, page in [("Flows", "/flows"), ("Held messages", "/held"), ("Integrity", "/integrity")]:
                step = "open %s" % page
                driver.find_element(By.LINK_TEXT, link).click()
                wait_for(driver, "<h1>%s</h1>" % link)
                accessible(driver, page)

            step = "run a verification and follow its progress page"
            driver.find_element(By.XPATH, "//button[normalize-space()='Run verification']").click()
            wait_for(driver, "The log is intact.", seconds=60)
            assert "/integrity/runs/" in driver.current_url, driver.current_url
            accessible(driver, "/integrity/runs")

            step = "sign out"
            driver.find_element(By.XPATH, "//button[normalize-space()='Sign out']").click()
            wait_for(driver, "Account name")
            assert not any(c["name"] == "__Host-accord-session" for c in driver.get_cookies())
            driver.get(origin + "/audit")
            wait_for(driver, "Account name")
            driver.save_screenshot(os.path.join(args.out, "password-4-signed-out.png"))

            if args.admin:
                step = "sign in as the administrator"
                sign_in(driver, *args.admin)
                for link, page in [("Agencies and certificates", "/agencies"), ("Agreements", "/agreements")]:
                    step = "open %s" % page
                    driver.find_element(By.LINK_TEXT, link).click()
                    wait_for(driver, "<h1>%s</h1>" % link)
                    accessible(driver, page)
                driver.save_screenshot(os.path.join(args.out, "password-5-agreements.png"))

                step = "write a new draft agreement"
                driver.find_element(By.LINK_TEXT, "New draft agreement").click()
                wait_for(driver, "Check and save")
                accessible(driver, "/agreements/new")
                text = driver.find_element(By.ID, "agreement-text").get_attribute("value")
                draft = re.search(r"^id: (\S+)$", text, re.M).group(1)
                driver.find_element(By.XPATH, "//button[normalize-space()='Check and save']").click()
                wait_for(driver, "Saved ")
                accessible(driver, "/agreements (saved draft)")

                step = "make the draft active"
                driver.find_element(By.XPATH, "//button[normalize-space()='Make %s active']" % draft).click()
                wait_for(driver, "Agreement %s is now active" % draft)
                driver.save_screenshot(os.path.join(args.out, "password-6-activated.png"))
                print("draft %s written and made active in the browser" % draft)
    except Exception as error:  # report the step; chromium() kept a screenshot of where it stopped
        print("browser test failed at '%s': %r" % (step, error))
        return 1
    print("password browser test passed; axe-core found no WCAG A/AA violation on %s; screenshots in %s" % (", ".join(checked), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
