#!/usr/bin/env python3
"""Drives the Accord console in the system Chromium with a local account: no client certificate.

Only the development CA is trusted (in a temporary NSS database); the browser holds no client
certificate. The script is sent to the sign-in page, types the name and password, checks that
the session cookie is Secure, HttpOnly and SameSite=Strict, searches the audit log and signs
out, saving a screenshot of each step. Exit 0 on success, 1 with the failed step otherwise.

    python3 console_browser_password.py --url https://localhost:PORT --name alice \
        --password '...' --ca ca.pem --out /tmp/shots
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--subject", default="passport=NZ4455667")
    args = parser.parse_args()

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def wait_for(driver, text, seconds=20):
        WebDriverWait(driver, seconds).until(lambda d: text in d.page_source)

    os.makedirs(args.out, exist_ok=True)
    home = tempfile.mkdtemp(prefix="accord-browser-")
    nssdb = os.path.join(home, ".pki", "nssdb")
    os.makedirs(nssdb)
    for command in (["certutil", "-N", "-d", "sql:" + nssdb, "--empty-password"],
                    ["certutil", "-A", "-n", "accord-dev-ca", "-t", "C,,", "-i", args.ca, "-d", "sql:" + nssdb]):
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    origin = args.url.rstrip("/")
    environment = dict(os.environ, HOME=home, SE_OFFLINE="true")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--user-data-dir=" + os.path.join(home, "profile")]:
        options.add_argument(argument)
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver", env=environment)
    driver = None
    step = "start Chromium"
    try:
        driver = webdriver.Chrome(service=service, options=options)
        driver.set_page_load_timeout(30)

        step = "be sent to the sign-in page"
        driver.get(origin + "/audit")
        wait_for(driver, "Account name")
        assert driver.current_url.endswith("/signin"), driver.current_url
        driver.save_screenshot(os.path.join(args.out, "password-1-signin.png"))

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

        step = "search the audit log by subject"
        driver.find_element(By.LINK_TEXT, "Audit search").click()
        driver.find_element(By.ID, "subject").send_keys(args.subject)
        driver.find_element(By.CSS_SELECTOR, "button[value=search]").click()
        wait_for(driver, "results-heading")
        heading = driver.find_element(By.ID, "results-heading").text
        assert heading.endswith("record(s)") and not heading.startswith("0 "), heading
        driver.save_screenshot(os.path.join(args.out, "password-3-search.png"))

        step = "sign out"
        driver.find_element(By.XPATH, "//button[normalize-space()='Sign out']").click()
        wait_for(driver, "Account name")
        assert not any(c["name"] == "__Host-accord-session" for c in driver.get_cookies())
        driver.get(origin + "/audit")
        wait_for(driver, "Account name")
        driver.save_screenshot(os.path.join(args.out, "password-4-signed-out.png"))
    except Exception as error:  # report the step, keep a screenshot of where it stopped
        if driver is not None:
            driver.save_screenshot(os.path.join(args.out, "password-failed.png"))
        print("browser test failed at '%s': %r" % (step, error))
        return 1
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(home, ignore_errors=True)
    print("password browser test passed; screenshots in %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
