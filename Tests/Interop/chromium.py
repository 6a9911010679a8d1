"""The headless system Chromium the console's browser tests drive, in a throwaway home.

Chromium on Linux reads certificates from $HOME/.pki/nssdb: a temporary NSS database there
trusts the development CA and, for the certificate test, holds the operator's PKCS#12 file.
"""
import contextlib
import json
import os
import shutil
import subprocess
import tempfile

POLICY_DIR = "/etc/chromium/policies/managed"

# Every test writes this same policy. Chromium reads every file in POLICY_DIR, and where two set
# the same policy one file wins: a pattern naming one test's port left a test running beside it
# without the policy, its page waiting on a certificate dialog no one answers.
AUTO_SELECT = {"AutoSelectCertificateForUrls": [json.dumps({"pattern": "https://localhost:*", "filter": {}})]}


def _run(*command):
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextlib.contextmanager
def certificate_auto_selected(name):
    """Makes Chromium present the client certificate it holds to https://localhost, on any port,
    without a dialog (a managed policy, AutoSelectCertificateForUrls), until the block ends."""
    path = os.path.join(POLICY_DIR, "accord-%s-%d.json" % (name, os.getpid()))
    os.makedirs(POLICY_DIR, exist_ok=True)
    with open(path, "w") as handle:
        json.dump(AUTO_SELECT, handle)
    try:
        yield
    finally:
        os.remove(path)


@contextlib.contextmanager
def chromium(ca, p12=None, p12_password=None, failure_screenshot=None):
    """Yields a Selenium driver for Chromium trusting `ca` (and holding `p12` if given);
    quits it and removes its home afterwards. If the block raises, the page it stopped on is
    saved to `failure_screenshot` first."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    home = tempfile.mkdtemp(prefix="accord-browser-")
    driver = None
    try:
        nssdb = os.path.join(home, ".pki", "nssdb")
        os.makedirs(nssdb)
        _run("certutil", "-N", "-d", "sql:" + nssdb, "--empty-password")
        _run("certutil", "-A", "-n", "accord-dev-ca", "-t", "C,,", "-i", ca, "-d", "sql:" + nssdb)
        if p12:
            _run("pk12util", "-i", p12, "-d", "sql:" + nssdb, "-W", p12_password)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1400,1000", "--user-data-dir=" + os.path.join(home, "profile")]:
            options.add_argument(argument)
        environment = dict(os.environ, HOME=home, SE_OFFLINE="true")
        service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver", env=environment)
        driver = webdriver.Chrome(service=service, options=options)
        driver.set_page_load_timeout(90)  # a loaded two-core machine starts Chromium slowly
        try:
            yield driver
        except Exception:
            if failure_screenshot:
                driver.save_screenshot(failure_screenshot)
            raise
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(home, ignore_errors=True)


def search_audit(driver, subject):
    """Searches the audit log for `subject` (type=value) from any console page; returns the
    results heading, having checked it found records and did not show the value back."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.LINK_TEXT, "Audit search").click()
    driver.find_element(By.ID, "subject").send_keys(subject)
    driver.find_element(By.CSS_SELECTOR, "button[value=search]").click()
    WebDriverWait(driver, 20).until(lambda d: "results-heading" in d.page_source)
    heading = driver.find_element(By.ID, "results-heading").text
    assert heading.endswith("record(s)") and not heading.startswith("0 "), heading
    assert subject.split("=", 1)[1] not in driver.page_source, "the searched identifier is shown back"
    return heading
