"""End-to-end tests of the real Ayllu window: the Tauri app under Xvfb, driven through
tauri-driver and WebKitWebDriver, with the real store on disk and, for sync, a real hub
started with `ayllu hub serve`. Run by tests/e2e/run.sh (which starts Xvfb and
tauri-driver); screenshots land in docs/screenshots/.

Environment: AYLLU_APP (the app binary), AYLLU_CLI (the `ayllu` binary),
WEBDRIVER_URL (tauri-driver, default http://127.0.0.1:4444), SHOTS (screenshot folder).
"""

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions

APP = os.environ["AYLLU_APP"]
CLI = os.environ["AYLLU_CLI"]
WEBDRIVER = os.environ.get("WEBDRIVER_URL", "http://127.0.0.1:4444")
SHOTS = os.environ.get("SHOTS", "docs/screenshots")
PHONE = (360, 740)
PIN = "482913"
STAFF = "puesto de salud Ccorca"
# What the command line needs to open the folders the tests share with the app (a hub's
# folder asks for the passphrase; cheap Argon2id for the folders the command creates).
CLI_ENV = {**os.environ, "AYLLU_PIN": PIN, "AYLLU_PASSPHRASE": "puesto de salud de prueba", "AYLLU_KDF_FAST": "1"}
DESKTOP = (1280, 800)


class TauriOptions(ArgOptions):
    def __init__(self, args):
        super().__init__()
        self.app_args = args

    def to_capabilities(self):
        return {"browserName": "wry", "tauri:options": {"application": APP, "args": self.app_args}}


def open_app(data_dir, size=PHONE, args=(), unlock=True):
    """Starts the app on `data_dir` (arguments: tauri-driver does not pass our environment)
    and, unless `unlock` is false, sets or types the PIN on the lock screen."""
    driver = webdriver.Remote(command_executor=WEBDRIVER, options=TauriOptions(["--data", data_dir, *args]))
    driver.implicitly_wait(0)
    resize(driver, size)
    wait(driver, lambda: driver.find_element(By.CSS_SELECTOR, "[data-testid=lock]"), what="the lock screen")
    if unlock:
        enter_pin(driver)
    return driver


def enter_pin(driver, pin=PIN):
    """Types the PIN (twice when it is being set) and waits for the app behind the lock."""
    typ(driver, "[data-testid=lock] input[name=pin]", pin)
    if driver.find_elements(By.CSS_SELECTOR, "input[name=pin_again]"):
        typ(driver, "input[name=pin_again]", pin)
    click(driver, "[data-testid=lock-submit]")
    wait(driver, lambda: driver.find_element(By.CSS_SELECTOR, ".welcome, .topbar"), what="the app behind the lock")


def resize(driver, size):
    driver.set_window_rect(width=size[0], height=size[1])
    time.sleep(0.3)


def wait(driver, probe, timeout=15.0, what="condition"):
    """Polls `probe` until it returns something truthy without raising."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            got = probe()
            if got:
                return got
        except (NoSuchElementException, StaleElementReferenceException) as e:
            last = e
        time.sleep(0.2)
    driver.save_screenshot(os.path.join(tempfile.gettempdir(), "ayllu-e2e-timeout.png"))
    raise AssertionError(f"timed out waiting for {what}: {last} (screen: /tmp/ayllu-e2e-timeout.png)")


def css(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


def press(driver, el):
    """Clicks like a person: the element scrolled to the middle, clear of sticky bars."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    el.click()


def click(driver, selector):
    wait(driver, lambda: css(driver, selector).is_enabled(), what=selector)
    press(driver, css(driver, selector))


def button(driver, text):
    """A visible button whose text is `text`."""
    def find():
        for b in driver.find_elements(By.TAG_NAME, "button"):
            if b.text.strip() == text and b.is_displayed():
                return b
        return None
    return wait(driver, find, what=f"button {text!r}")


def typ(driver, selector, text, within=None):
    # The field may appear a moment after the tap that opens its screen.
    el = wait(driver, lambda: (within or driver).find_element(By.CSS_SELECTOR, selector), what=selector)
    el.clear()
    el.send_keys(text)


def choose(driver, selector, code, within=None):
    """Selects the option of a picker whose stored code is `code`."""
    el = wait(driver, lambda: (within or driver).find_element(By.CSS_SELECTOR, selector), what=selector)
    driver.execute_script(
        """const [sel, wanted] = arguments;
        const i = [...sel.options].findIndex(o => o.__value === wanted || o.value === wanted || o.text === wanted);
        if (i < 0) throw new Error('no option ' + wanted);
        sel.selectedIndex = i; sel.dispatchEvent(new Event('change', {bubbles: true}));""",
        el,
        code,
    )


# What a promotora must never read on a phone screen: the word "hub", an id, a file path,
# a plural after 1, a decimal point, an ISO date.
FORBIDDEN = [
    (re.compile(r"\bhub\b", re.I), "the word hub"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I), "a UUID"),
    (re.compile(r"/tmp/|ayllu-e2e-|ayllu-hub-|ayllu-facility-|/root/|/home/"), "a file path"),
    (re.compile(r"(?<![\d.,])1 (hogares|miembros|niños|niñas|días|meses|años|recibidos|enviados|semanas|visitas)\b"),
     "a plural after 1"),
    # A number with a decimal point (an IP address such as 192.168.1.20 is not one).
    (re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])"), "a decimal point"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "an ISO date"),
]


def check_words(driver, name):
    text = driver.execute_script("return document.body.innerText")
    bad = [(why, m.group(0)) for rx, why in FORBIDDEN for m in [rx.search(text)] if m]
    assert not bad, f"{name}: {bad}"
    # Thumb-sized: every visible button, field and tickable line is at least 48 px tall.
    small = driver.execute_script("""
        return [...document.querySelectorAll('button, input:not([type=checkbox]), select, label.check, summary')]
          .filter(e => e.offsetParent !== null)
          .map(e => [e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 30), e.getBoundingClientRect().height])
          .filter(([, h]) => h < 47.5);""")
    assert not small, f"{name}: tap targets under 48 px: {small}"


def shot(driver, name):
    if name.endswith("-phone"):
        check_words(driver, name)
    # A passing toast ("Guardado") would hide part of the screen.
    wait(driver, lambda: not driver.find_elements(By.CSS_SELECTOR, ".toast"), timeout=5, what="the toast to go")
    os.makedirs(SHOTS, exist_ok=True)
    time.sleep(0.4)
    driver.save_screenshot(os.path.join(SHOTS, f"{name}.png"))


def cli(data_dir, *args, stdin=None):
    out = subprocess.run(
        [CLI, "--data", data_dir, *args], input=stdin, capture_output=True, text=True, check=True, env=CLI_ENV
    )
    return json.loads(out.stdout) if out.stdout.strip() else None


def field_error(driver, path):
    return wait(driver, lambda: css(driver, f'.field-error[data-field="{path}"]'), what=f"error at {path}")


def welcome(driver, name="Juana Condori"):
    wait(driver, lambda: css(driver, ".welcome input[name=promotor]"), what="the welcome screen")
    typ(driver, "input[name=promotor]", name)
    press(driver, button(driver, "Empezar"))
    wait(driver, lambda: css(driver, ".topbar"), what="the main screen")


def months_ago(n):
    today = dt.date.today()
    y, m = divmod(today.month - 1 - n, 12)
    year, month = today.year + y, m + 1
    day = min(today.day, 28)
    return dt.date(year, month, day).isoformat()


def answer(driver, path, code="no"):
    """Taps an answer of a checklist question (it may appear only after an earlier answer)."""
    sel = f'[data-name="{path}"] [data-answer="{code}"]'
    press(driver, wait(driver, lambda: css(driver, sel), what=f"the question {path}"))


def questions_shown(driver):
    return [e.get_attribute("data-name") for e in driver.find_elements(By.CSS_SELECTOR, ".checklist [data-name]")]


def well_child(driver, **answers):
    """Answers every question shown for a well child (no signs, card up to date), with
    `answers` (path → code) where it differs; returns the paths answered."""
    plan = {"danger_signs": "no", "cough": "no", "diarrhoea": "no", "fever": "no",
            "vaccination_card_seen": "yes", "vaccines_up_to_date": "yes", "growth_check_up_to_date": "yes",
            "breastfeeding": "yes", "iron": "yes", "vitamin_a": "yes"}
    plan.update({k.replace("__", "."): v for k, v in answers.items()})
    done = []
    for path, code in plan.items():
        if path in questions_shown(driver) or "." in path:
            answer(driver, path, code)
            done.append(path)
    return done


def fill_member(driver, index, m):
    block = css(driver, f'[data-member-index="{index}"]')
    typ(driver, "input[name=given_names]", m["given_names"], block)
    typ(driver, "input[name=surnames]", m["surnames"], block)
    choose(driver, "select[name=sex]", m["sex"], block)
    typ(driver, "input[name=birth_date]", m["birth"], block)
    choose(driver, "select[name=relationship]", m["relationship"], block)
    if m.get("dni"):
        typ(driver, "input[name=dni]", m["dni"], block)
    choose(driver, "select[name=insurance]", m["insurance"], block)


def test_register_visit_search_and_reopen():
    data = tempfile.mkdtemp(prefix="ayllu-e2e-")
    d = open_app(data, unlock=False)
    try:
        # First start: a PIN is chosen, typed twice (a different second one is refused).
        wait(d, lambda: css(d, "input[name=pin_again]"), what="the PIN to set")
        shot(d, "lock-set-phone")
        typ(d, "[data-testid=lock] input[name=pin]", PIN)
        typ(d, "input[name=pin_again]", "482914")
        click(d, "[data-testid=lock-submit]")
        field_error(d, "pin_again")
        assert not os.path.exists(os.path.join(data, "ayllu.sqlite3")), "nothing made before the PIN"
        enter_pin(d)
        shot(d, "welcome-phone")
        welcome(d)
        shot(d, "today-phone")

        # A new household with two members, the second a child of 18 months.
        click(d, "[data-testid=new-household]")
        typ(d, "input[name=community]", "Ccorca")
        typ(d, "input[name=sector]", "Alto")
        typ(d, "input[name=address]", "Frente a la capilla")
        press(d, css(d, "input[name=consent]"))
        choose(d, "select[name=water]", "piped_inside")
        # Dates as people write them here: day/month/year.
        fill_member(d, 0, dict(given_names="Rosa", surnames="Núñez Huamán", sex="F", birth="02/03/1994",
                               relationship="head", dni="45871236", insurance="sis"))
        # "¿Cuántas semanas de embarazo tiene?" gives the expected delivery date (and a number
        # of weeks no pregnancy has is refused beside the field). Rosa is not pregnant after all.
        rosa = css(d, '[data-member-index="0"]')
        press(d, rosa.find_element(By.CSS_SELECTOR, "input[name=pregnant]"))
        typ(d, "input[name=weeks_now]", "3", rosa)
        err = field_error(d, "members[0].pregnancy.weeks")
        assert "semanas" in err.text, err.text
        typ(d, "input[name=weeks_now]", "20", rosa)
        edd = dt.date.today() + dt.timedelta(days=280 - 20 * 7)
        wait(d, lambda: rosa.find_element(By.CSS_SELECTOR, "input[name=expected_delivery]").get_attribute("value")
             == edd.strftime("%d/%m/%Y"), what="the expected delivery from the weeks")
        assert not d.find_elements(By.CSS_SELECTOR, '[data-field="members[0].pregnancy.weeks"]'), "error cleared"
        press(d, rosa.find_element(By.CSS_SELECTOR, "input[name=pregnant]"))
        click(d, "[data-testid=add-member-row]")
        child_birth = months_ago(18)
        # First a birth date in the future: refused next to the field, nothing saved.
        fill_member(d, 1, dict(given_names="Ch'aska", surnames="Mamani Núñez", sex="F", birth="2099-01-01",
                               relationship="child", insurance="sis"))
        click(d, "[data-testid=save]")
        err = field_error(d, "members[1].birth.date")
        assert "fecha futura" in err.text, err.text
        shot(d, "new-household-error-phone")
        assert cli(data, "household", "list") == [], "a refused household must not be saved"

        typ(d, "input[name=birth_date]", child_birth, css(d, '[data-member-index="1"]'))
        # Her mother is Rosa, chosen among the household's women (a link, not a guess).
        choose(d, "select[name=mother]", 0, css(d, '[data-member-index="1"]'))
        click(d, "[data-testid=save]")
        wait(d, lambda: "Núñez" in css(d, "[data-testid=household-title]").text, what="the household screen")
        members = css(d, "[data-testid=members]").text
        assert "Ch'aska Mamani Núñez" in members and "18 meses" in members, members
        shot(d, "household-phone")

        # A visit. Siguiente with nothing answered names the questions left; a weight of
        # 300 kg is refused next to the field, and the error goes as soon as it is corrected.
        click(d, "[data-testid=record-visit]")
        click(d, "[data-testid=next]")
        wait(d, lambda: css(d, "[data-testid=child-step]"), what="the child's step")
        assert css(d, "[data-testid=child-step]").text.startswith("Niña: "), "a girl is a niña"
        child_id = css(d, "[data-child]").get_attribute("data-child")
        shown = questions_shown(d)
        assert "breastfeeding" in shown and "iron" in shown, shown
        assert "diarrhoea.ors" not in shown, "ORS only after diarrhoea"
        click(d, "[data-testid=next]")
        left = wait(d, lambda: css(d, "[data-testid=missing]"), what="the unanswered questions").text
        assert "¿Tuvo diarrea en las últimas 2 semanas?" in left and "¿Tiene algún signo de peligro?" in left, left
        assert d.find_elements(By.CSS_SELECTOR, '[data-name="fever"][data-missing]'), "the question itself is marked"
        shot(d, "visit-missing-phone")
        typ(d, "input[name=weight]", "300")
        typ(d, "input[name=height]", "79,5")
        well_child(d, diarrhoea="yes", diarrhoea__ors="yes", diarrhoea__zinc="no", growth_check_up_to_date="not_asked",
                   vitamin_a="no")
        assert not d.find_elements(By.CSS_SELECTOR, "[data-testid=missing]"), "all answered"
        click(d, "[data-testid=next]")
        err = field_error(d, f"child_checks.{child_id}.weight_kg")
        assert "fuera del rango" in err.text, err.text
        shot(d, "visit-error-phone")
        households = cli(data, "household", "list")
        assert len(households) == 1 and households[0]["last_visit"] is None, households

        typ(d, "input[name=weight]", "10,4")
        wait(d, lambda: not d.find_elements(By.CSS_SELECTOR, ".field-error"), timeout=3,
             what="the weight's error to clear as soon as it is valid")
        d.execute_script("window.scrollTo(0, 0)")
        shot(d, "visit-child-phone")
        click(d, "[data-testid=next]")
        wait(d, lambda: css(d, "[data-testid=save-visit]"), what="the summary")
        # Before saving, the summary says what the visit means: her growth, and the
        # diarrhoea re-check in 2 days.
        summary = css(d, f'[data-testid=summary-child][data-member="{child_id}"]').text
        assert "Crecimiento adecuado" in summary and "10,4 kg" in summary, summary
        assert css(d, '[data-testid=summary-due] [data-rule="diarrhoea_recheck"]')
        assert css(d, '[data-testid=summary-due] [data-rule="growth_check_due"]'), "CRED not asked: due"
        shot(d, "visit-summary-phone")
        click(d, "[data-testid=save-visit]")
        visits = wait(d, lambda: css(d, "[data-testid=visits]"), what="the visit list").text
        assert "10,4 kg, 79,5 cm" in visits and "diarrea (SRO)" in visits, visits
        shot(d, "household-visit-phone")

        # The growth chart: WHO's curves for a girl, her one measurement on each chart, and
        # the z-scores the CLI computes for the same child.
        growth = wait(d, lambda: css(d, f'[data-testid=growth][data-member="{child_id}"]'), what="the growth chart")
        for chart in ["chart-length", "chart-weight"]:
            dots = growth.find_elements(By.CSS_SELECTOR, f"[data-testid={chart}] circle")
            curves = growth.find_elements(By.CSS_SELECTOR, f"[data-testid={chart}] path")
            assert len(dots) == 1 and len(curves) >= 6, (chart, len(dots), len(curves))
        age_days = (dt.date.today() - dt.date.fromisoformat(child_birth)).days
        z = cli(data, "growth", "--sex", "F", "--age-days", str(age_days), "--weight", "10.4",
                "--height", "79.5", "--measured", "lying")
        # Z-scores are for staff: behind a tap, with a decimal comma.
        assert css(d, ".zdetails").get_attribute("open") is None, "hidden until asked for"
        press(d, css(d, "[data-testid=show-zscores]"))
        ztext = wait(d, lambda: css(d, "[data-testid=zscores]").text, what="the z-scores")
        for k in ["haz", "waz", "whz"]:
            assert f"{z[k]['z']:.2f}".replace("-", "−").replace(".", ",") in ztext, (k, ztext, z)
        # Below the sticky top bar, with the child's name in view.
        d.execute_script("window.scrollTo(0, arguments[0].getBoundingClientRect().top + window.scrollY - 56)", growth)
        time.sleep(0.3)
        shot(d, "household-growth-phone")

        # Due today: the card's growth check was not confirmed, so CRED is due; the diarrhoea
        # re-check is 2 days away and shows only in the week's view.
        click(d, "[data-nav=today]")
        cred = wait(d, lambda: css(d, '[data-testid=due-list] [data-rule="growth_check_due"]'), what="the CRED item")
        assert "Ch'aska" in cred.text, cred.text
        assert not d.find_elements(By.CSS_SELECTOR, '[data-rule="diarrhoea_recheck"]')
        click(d, "[data-testid=due-week]")
        recheck = wait(d, lambda: css(d, '[data-rule="diarrhoea_recheck"]'), what="the diarrhoea re-check")
        assert "en 2 días" in recheck.text, recheck.text
        shot(d, "today-due-phone")

        # A second visit: cough with fast breathing. The referral writes itself, and the
        # summary says "Referir hoy". Urgent on Today until the family is confirmed to have
        # gone to the health post.
        press(d, recheck.find_element(By.CSS_SELECTOR, "button.row"))
        click(d, "[data-testid=record-visit]")
        click(d, "[data-testid=next]")
        wait(d, lambda: css(d, "[data-testid=child-step]"), what="the child's step")
        well_child(d, cough="yes", cough__fast_breathing="yes", cough__chest_indrawing="no")
        refer = wait(d, lambda: css(d, "[data-testid=refer-today]"), what="Referir hoy on the step").text
        assert "Respiración rápida" in refer, refer
        # Called away mid-visit: a tab of the bottom bar. Today offers the unfinished visit;
        # it resumes on the same step with every answer.
        click(d, "[data-nav=today]")
        unfinished = wait(d, lambda: css(d, "[data-testid=drafts] button.row"), what="the unfinished visit on Today")
        assert "Ccorca" in unfinished.text, unfinished.text
        shot(d, "today-unfinished-visit-phone")
        press(d, unfinished)
        wait(d, lambda: css(d, "[data-testid=resumed]"), what="the visit resumed")
        wait(d, lambda: css(d, "[data-testid=child-step]"), what="on the child's step")
        pressed = css(d, '[data-name="cough.fast_breathing"] [data-answer="yes"]').get_attribute("aria-pressed")
        assert pressed == "true", "the answers are back"
        click(d, "[data-testid=next]")
        refer = wait(d, lambda: css(d, "[data-testid=summary-child] [data-testid=refer-today]"), what="Referir hoy in the summary")
        assert "REFERIR HOY" in refer.text.upper() and "Respiración rápida" in refer.text, refer.text
        assert refer.value_of_css_property("color") in ("rgb(179, 38, 30)", "rgba(179, 38, 30, 1)"), "in red"
        shot(d, "visit-refer-today-phone")
        click(d, "[data-testid=save-visit]")
        wait(d, lambda: css(d, '[data-testid=household-due] [data-rule="pneumonia_referral"]'), what="the referral on the household")
        assert not d.find_elements(By.CSS_SELECTOR, "[data-testid=visit-draft]"), "the saved visit left no draft"
        click(d, "[data-nav=today]")
        urgent = wait(d, lambda: css(d, '[data-testid=due-list] [data-rule="pneumonia_referral"]'), what="the urgent referral")
        first = css(d, "[data-testid=due-list] li.due")
        assert first.get_attribute("data-rule") == "pneumonia_referral", "the urgent item comes first"
        shot(d, "today-referral-phone")
        press(d, urgent.find_element(By.CSS_SELECTOR, "[data-testid=referral-attended]"))
        wait(d, lambda: not d.find_elements(By.CSS_SELECTOR, '[data-rule="pneumonia_referral"]'), what="the referral to leave the list")
        # Tapped by mistake: "Deshacer" brings the referral back; then it is confirmed for real.
        click(d, "[data-testid=undo]")
        urgent = wait(d, lambda: css(d, '[data-testid=due-list] [data-rule="pneumonia_referral"]'), what="the referral back")
        press(d, urgent.find_element(By.CSS_SELECTOR, "[data-testid=referral-attended]"))
        wait(d, lambda: not d.find_elements(By.CSS_SELECTOR, '[data-rule="pneumonia_referral"]'), what="the referral to leave the list")
        shown = cli(data, "household", "show", cli(data, "household", "list")[0]["id"])
        attended = [c["referral"]["attended_on"] for v in shown["visits"].values()
                    for c in v["child_checks"].values() if c.get("referral")]
        assert attended == [dt.date.today().isoformat()], attended

        # Find it by an accented name, and with the accents left out.
        click(d, "[data-nav=households]")
        for q in ["Núñez", "nunez huaman", "ch'aska"]:
            typ(d, "input[name=search]", q)
            wait(d, lambda: "Rosa Núñez Huamán" in css(d, "[data-testid=household-list]").text, what=f"search {q}")
        shot(d, "households-phone")

        resize(d, DESKTOP)
        shot(d, "households-desktop")
        press(d, css(d, "[data-household]"))
        wait(d, lambda: css(d, "[data-testid=visits]"), what="the household")
        shot(d, "household-desktop")
        click(d, "[data-testid=add-member]")
        wait(d, lambda: css(d, "input[name=given_names]"), what="the member form")
        # Nobody knows the date: "8 meses" gives an approximate one.
        press(d, css(d, "input[name=estimated]"))
        typ(d, "input[name=age]", "8")
        press(d, css(d, '[data-unit="months"]'))
        today = dt.date.today()
        y, m = divmod(today.month - 1 - 8, 12)
        born = dt.date(today.year + y, m + 1, min(today.day, 28 if m + 1 == 2 else 30 if today.day > 30 else today.day))
        got = wait(d, lambda: css(d, "input[name=birth_date]").get_attribute("value"), what="the date from the age")
        assert got.endswith(f"/{born.month:02d}/{born.year}"), (got, born)
        shot(d, "member-desktop")
        press(d, button(d, "Cancelar"))
        click(d, "[data-testid=edit-household]")
        wait(d, lambda: css(d, "input[name=community]").get_attribute("value") == "Ccorca", what="the edit form")
        shot(d, "edit-household-desktop")
        press(d, button(d, "Cancelar"))
        wait(d, lambda: css(d, "[data-testid=visits]"), what="back on the household")
        click(d, "[data-nav=today]")
        shot(d, "today-desktop")
        click(d, "[data-nav=settings]")
        shot(d, "settings-desktop")
        resize(d, PHONE)
        shot(d, "settings-phone")
        # Large text, for eyes that need it: the whole app grows, and stays so.
        press(d, css(d, '[data-text="large"]'))
        root_px = lambda: float(d.execute_script("return getComputedStyle(document.documentElement).fontSize")[:-2])
        wait(d, lambda: abs(root_px() - 19.2) < 0.1, what="large text")
        click(d, "[data-nav=today]")
        shot(d, "today-large-text-phone")
        click(d, "[data-nav=settings]")
        press(d, css(d, '[data-text="normal"]'))
        wait(d, lambda: abs(root_px() - 16) < 0.1, what="normal text")
    finally:
        d.quit()

    # On disk nothing can be read without the PIN: no name, DNI or place in any file.
    for name in os.listdir(data):
        path = os.path.join(data, name)
        if os.path.isfile(path):
            raw = open(path, "rb").read()
            for secret in ["Núñez", "45871236", "Ccorca", "capilla"]:
                assert secret.encode() not in raw, f"{secret} readable in {name}"

    # Close and reopen: the PIN is asked again; a wrong one is refused; then everything is
    # still there.
    time.sleep(1)
    d = open_app(data, unlock=False)
    try:
        assert not d.find_elements(By.CSS_SELECTOR, "input[name=pin_again]"), "asked, not set again"
        typ(d, "[data-testid=lock] input[name=pin]", "111111")
        click(d, "[data-testid=lock-submit]")
        err = field_error(d, "pin")
        assert "PIN incorrecto" in err.text, err.text
        shot(d, "lock-wrong-phone")
        assert not d.find_elements(By.CSS_SELECTOR, ".topbar"), "a wrong PIN opens nothing"
        enter_pin(d)
        wait(d, lambda: css(d, ".topbar"), what="the main screen (no welcome: the promotor is remembered)")
        click(d, "[data-nav=households]")
        typ(d, "input[name=search]", "Núñez")
        css_sel = "[data-testid=household-list] [data-household]"
        press(d, wait(d, lambda: css(d, css_sel), what="the household after reopening"))
        visits = wait(d, lambda: css(d, "[data-testid=visits]"), what="its visits").text
        assert "10,4 kg, 79,5 cm" in visits, visits
        assert "Ch'aska Mamani Núñez" in css(d, "[data-testid=members]").text
    finally:
        d.quit()
    stored = cli(data, "household", "show", cli(data, "household", "list")[0]["id"])
    checks = [c for v in stored["visits"].values() for c in v["child_checks"].values()]
    assert any(c["diarrhoea"].get("ors") == "yes" for c in checks), checks
    assert any(c["growth_check_up_to_date"] == "not_asked" for c in checks), "not asked is kept as not asked"
    births = sorted(m["birth"]["date"] for m in stored["members"].values())
    assert births[0] == "1994-03-02", "02/03/1994 was read as 2 March"
    rosa = next(k for k, m in stored["members"].items() if m["given_names"] == "Rosa")
    chaska = next(m for m in stored["members"].values() if m["given_names"] == "Ch'aska")
    assert chaska["mother"] == rosa, chaska

    # "Olvidé mi PIN": explained, asked once more, then the locked data go aside whole and
    # the phone starts again (linking it to the post brings the sent households back).
    d = open_app(data, unlock=False)
    try:
        click(d, "[data-testid=forgot-pin]")
        panel = wait(d, lambda: css(d, "[data-testid=forgot-panel]"), what="the explanation").text
        assert "vuelven todos los hogares que ya envió" in panel, panel
        shot(d, "lock-forgot-phone")
        click(d, "[data-testid=start-over]")
        wait(d, lambda: d.find_elements(By.CSS_SELECTOR, "input[name=pin_again]"), what="a new PIN asked")
    finally:
        d.quit()
    parent, name = os.path.split(data.rstrip("/"))
    aside = [n for n in os.listdir(parent) if n.startswith(name + ".apartado-")]
    assert len(aside) == 1 and os.path.exists(os.path.join(parent, aside[0], "ayllu.lock")), aside
    assert not os.path.exists(os.path.join(data, "ayllu.lock")), "the old lock moved with its data"


def days_from_today(n):
    return (dt.date.today() + dt.timedelta(days=n)).isoformat()


class Counted:
    """A person's hands on the phone: every tap and every key, counted."""

    def __init__(self, driver):
        self.d, self.taps, self.keys = driver, 0, 0

    def tap(self, el):
        press(self.d, el)
        self.taps += 1

    def tap_css(self, selector):
        self.tap(wait(self.d, lambda: css(self.d, selector), what=selector))

    def type_into(self, selector, text):
        self.tap_css(selector)  # focusing the field is a tap
        el = css(self.d, selector)
        el.clear()  # an empty field: nothing to delete by hand
        el.send_keys(text)
        self.keys += len(text)

    def answer(self, path, code):
        self.tap_css(f'[data-name="{path}"] [data-answer="{code}"]')


def test_a_home_visit_in_few_taps():
    """A typical well visit to a household with two children under five (8 months and 3
    years) and a pregnant woman, from Today's task to saved: at most 35 taps."""
    data = tempfile.mkdtemp(prefix="ayllu-e2e-")
    cli(data, "init", "--as", "Juana Condori")
    cli(data, "household", "add", stdin=json.dumps({
        "community": "Ccorca", "address": "Encima del puquio", "consent": True,
        "members": [
            {"given_names": "Yolanda", "surnames": "Quispe Mamani", "sex": "F", "birth": {"date": "1996-04-11"},
             "relationship": "head", "insurance": "sis", "pregnancy": {"expected_delivery": days_from_today(80)}},
            {"given_names": "Nayra", "surnames": "Condori Quispe", "sex": "F", "birth": {"date": months_ago(8)},
             "relationship": "child", "insurance": "sis"},
            {"given_names": "Alcides", "surnames": "Condori Quispe", "sex": "M", "birth": {"date": months_ago(36)},
             "relationship": "child", "insurance": "sis"}]}))
    d = open_app(data)
    try:
        hands = Counted(d)
        task = wait(d, lambda: css(d, "[data-testid=due-list] li.due button.row"), what="a task on Today")
        assert "venció hace" not in task.text and "aún sin visitas" in task.text, "a new household is not years late"
        shot(d, "today-tasks-phone")
        hands.tap(task)
        hands.tap_css("[data-testid=record-visit]")
        hands.tap_css("[data-testid=next]")
        well = {"danger_signs": "no", "cough": "no", "diarrhoea": "no", "fever": "no", "vaccination_card_seen": "yes",
                "vaccines_up_to_date": "yes", "growth_check_up_to_date": "yes", "breastfeeding": "yes", "iron": "yes",
                "vitamin_a": "yes"}
        steps = []
        for weight, height in [("14,2", "94,5"), ("8,1", "69")]:
            step = wait(d, lambda: css(d, "[data-testid=child-step]").text, what="a child's step")
            steps.append(step)
            hands.type_into("input[name=weight]", weight)
            hands.type_into("input[name=height]", height)
            for path in questions_shown(d):
                hands.answer(path, well[path])
            if not steps[1:]:
                shot(d, "visit-child-3y-phone")
            hands.tap_css("[data-testid=next]")
            wait(d, lambda: css(d, "[data-testid=visit-step]").text != "", what="the next step")
            time.sleep(0.3)
        assert steps[0].startswith("Niño: Alcides") and steps[1].startswith("Niña: Nayra"), steps
        # The pregnant woman: gestational weeks filled from the expected delivery.
        wait(d, lambda: css(d, "[data-mother]"), what="the antenatal step")
        weeks = css(d, "input[name=weeks]").get_attribute("value")
        assert weeks == str((280 - 80) // 7), weeks
        for path, code in [("anc_card_seen", "yes"), ("anc_up_to_date", "yes"), ("iron_folic_acid", "yes"),
                           ("danger_signs", "no")]:
            hands.answer(path, code)
        assert questions_shown(d) == ["anc_card_seen", "anc_up_to_date", "iron_folic_acid", "danger_signs"], questions_shown(d)
        shot(d, "visit-pregnant-phone")
        hands.tap_css("[data-testid=next]")
        hands.tap_css("[data-testid=save-visit]")
        wait(d, lambda: css(d, "[data-testid=visits]"), what="the saved visit")
        print(f"     a home visit: {hands.taps} taps, {hands.keys} keys")
        assert hands.taps <= 35, hands.taps
        stored = cli(data, "household", "show", cli(data, "household", "list")[0]["id"])
        (visit,) = stored["visits"].values()
        assert len(visit["child_checks"]) == 2 and len(visit["antenatal_checks"]) == 1, visit
        for c in visit["child_checks"].values():
            assert c["danger_signs"] == {"answer": "no"} and c["fever"] == "no", c

        # The baby comes early: the delivery is recorded and the newborn registered with it.
        press(d, wait(d, lambda: css(d, "[data-testid=record-delivery]"), what="Registrar parto"))
        wait(d, lambda: css(d, "[data-testid=delivery-form]"), what="the delivery form")
        # The day is picked from the calendar beside the field (typing it works as well).
        click(d, "[data-testid=calendar-delivery_on]")
        cal = wait(d, lambda: css(d, "[data-testid=calendar]"), what="the calendar")
        later = cal.find_elements(By.CSS_SELECTOR, f'[data-day="{dt.date.today().day + 1}"]')
        assert not later or not later[0].is_enabled(), "a delivery cannot be picked in the future"
        shot(d, "date-picker-phone")
        press(d, cal.find_element(By.CSS_SELECTOR, f'[data-day="{dt.date.today().day}"]'))
        assert css(d, "input[name=delivery_on]").get_attribute("value") == dt.date.today().strftime("%d/%m/%Y")
        assert not d.find_elements(By.CSS_SELECTOR, "[data-testid=calendar]"), "the calendar closes on a pick"
        answer(d, "born_alive", "yes")
        choose(d, "select[name=place]", "facility")
        typ(d, "input[name=birth_weight]", "3,2")
        newborn = wait(d, lambda: css(d, "[data-testid=newborn]"), what="the newborn's fields")
        typ(d, "input[name=given_names]", "Illari", newborn)
        typ(d, "input[name=surnames]", "Condori Quispe", newborn)
        choose(d, "select[name=sex]", "F", newborn)
        shot(d, "delivery-phone")
        click(d, "[data-testid=save]")
        members = wait(d, lambda: "Illari Condori Quispe" in css(d, "[data-testid=members]").text and css(d, "[data-testid=members]").text,
                       what="the newborn among the members")
        assert not d.find_elements(By.CSS_SELECTOR, "[data-testid=record-delivery]"), "the pregnancy has ended"
        stored = cli(data, "household", "show", stored["id"])
        yolanda = next(k for k, m in stored["members"].items() if m["given_names"] == "Yolanda")
        illari = next(m for m in stored["members"].values() if m["given_names"] == "Illari")
        assert illari["mother"] == yolanda and illari["birth"]["date"] == dt.date.today().isoformat(), illari
        assert stored["members"][yolanda]["pregnancy"]["delivery"]["weight_kg"] == 3.2

        # A weight typed wrong is corrected in the saved visit: its answers come back, the
        # corrected weight replaces the old one in place, and who corrected it is shown.
        row = wait(d, lambda: css(d, "[data-testid=visits] li.visit"), what="the visit")
        press(d, row.find_element(By.CSS_SELECTOR, "[data-testid=correct-visit]"))
        wait(d, lambda: css(d, "h1").text == "Corregir visita", what="the correction wizard")
        click(d, "[data-testid=next]")
        wait(d, lambda: css(d, "[data-testid=child-step]").text.startswith("Niño: Alcides"), what="Alcides' step")
        assert css(d, "input[name=weight]").get_attribute("value") == "14,2"
        assert css(d, '[data-name="fever"] [data-answer="no"]').get_attribute("aria-pressed") == "true"
        typ(d, "input[name=weight]", "14,8")
        shot(d, "visit-correct-phone")
        for _ in range(3):
            click(d, "[data-testid=next]")
            time.sleep(0.3)
        click(d, "[data-testid=save-visit]")
        tag = wait(d, lambda: css(d, "[data-testid=visits] [data-testid=corrected]"), what="the visit marked corrected").text
        assert tag.startswith("Corregida el ") and "Juana Condori" in tag, tag
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", css(d, "[data-testid=visits]"))
        shot(d, "household-corrected-visit-phone")
        stored = cli(data, "household", "show", stored["id"])
        (fixed,) = stored["visits"].values()
        alcides = next(k for k, m in stored["members"].items() if m["given_names"] == "Alcides")
        assert fixed["child_checks"][alcides]["weight_kg"] == 14.8, fixed
        assert fixed["child_checks"][alcides]["fever"] == "no" and len(fixed["antenatal_checks"]) == 1, fixed

        # Who changed what: the correction is credited to its promotor, with the field.
        press(d, css(d, "[data-testid=show-history]"))
        lines = wait(d, lambda: d.find_elements(By.CSS_SELECTOR, "[data-testid=history-line]"), what="the history")
        newest = lines[0].text
        assert "Visita corregida" in newest and "Juana Condori" in newest and "este equipo" in newest, newest
        assert "Peso" in newest, newest
        assert any("Hogar registrado" in l.text for l in lines), [l.text for l in lines]
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", css(d, "[data-testid=history]"))
        shot(d, "household-history-phone")

        # A visit recorded by mistake is voided with why: asked first, kept, marked.
        row = wait(d, lambda: css(d, "[data-testid=visits] li.visit"), what="the visit")
        press(d, row.find_element(By.CSS_SELECTOR, "[data-testid=void-visit]"))
        click(d, "[data-testid=void-yes]")
        field_error(d, "reason")  # no reason: refused, naming the field
        typ(d, "input[name=void_reason]", "Se registró en el hogar equivocado")
        click(d, "[data-testid=void-yes]")
        tag = wait(d, lambda: css(d, "[data-testid=visits] [data-testid=voided]"), what="the visit marked voided").text
        assert "hogar equivocado" in tag, tag
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", css(d, "[data-testid=visits]"))
        shot(d, "household-voided-visit-phone")
        stored = cli(data, "household", "show", stored["id"])
        (kept,) = stored["visits"].values()
        assert kept["voided"]["reason"] == "Se registró en el hogar equivocado", kept
    finally:
        d.quit()


def start_hub(hub_dir):
    p = subprocess.Popen([CLI, "--data", hub_dir, "hub", "serve", "--listen", "127.0.0.1:0"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=CLI_ENV)
    line = p.stdout.readline()
    assert line.startswith("listening on "), line
    return p, line.split()[-1]


def test_sync_with_a_hub():
    hub_dir = tempfile.mkdtemp(prefix="ayllu-hub-")
    data = tempfile.mkdtemp(prefix="ayllu-e2e-")
    hub, url = start_hub(hub_dir)
    try:
        # Recorded on this phone before it was enrolled, in a community the health post
        # then did not assign to it: the hub refuses it, the phone keeps it and says why.
        cli(data, "init")
        cli(data, "--promotor", "Juana Condori", "household", "add", stdin=json.dumps({
            "community": "Chumpe", "address": "Al lado de la posta", "consent": True,
            "members": [{"given_names": "Nilda", "surnames": "Huarcaya", "sex": "F",
                         "birth": {"date": "1985-05-05"}, "relationship": "head", "insurance": "sis"}]}))
        code = cli(hub_dir, "hub", "enroll", "--promotor", "Juana Condori", "--community", "Huayllay")["code"]
        d = open_app(data, args=["--sync-every", "2"])
        try:
            welcome(d)
            click(d, "[data-nav=sync]")
            # A plain-HTTP address is warned about, and refused unless asked for.
            assert url.startswith("https://"), url
            typ(d, "input[name=hub_url]", url.replace("https://", "http://"))
            warning = wait(d, lambda: css(d, "[data-testid=insecure-warning]"), what="the plain-HTTP warning")
            assert "no está cifrada" in warning.text, warning.text
            typ(d, "input[name=code]", code)
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", warning)
            shot(d, "sync-insecure-warning-phone")
            click(d, "[data-testid=enroll]")
            field_error(d, "hub_url")
            # A wrong code (with the post's fingerprint) is refused next to the field.
            typ(d, "input[name=hub_url]", url)
            typ(d, "input[name=code]", "AAAA-BBBB-CCCC" + code[14:])
            click(d, "[data-testid=enroll]")
            field_error(d, "code")
            typ(d, "input[name=code]", code)
            click(d, "[data-testid=enroll]")
            wait(d, lambda: css(d, "[data-testid=sync-card]").get_attribute("data-phase") == "idle", what="a first sync")
            refused = wait(d, lambda: css(d, "[data-testid=sync-refused]"), what="the refused household")
            assert "Chumpe" in refused.text and "no está asignada a este celular" in refused.text, refused.text
            assert "1 hogar esperando" in css(d, "[data-testid=sync-waiting]").text
            shot(d, "sync-refused-phone")

            # A household recorded in the app reaches the hub by itself.
            click(d, "[data-nav=today]")
            click(d, "[data-testid=new-household]")
            typ(d, "input[name=community]", "Huayllay")
            typ(d, "input[name=address]", "Casa azul junto al puente")
            press(d, css(d, "input[name=consent]"))
            fill_member(d, 0, dict(given_names="Teodora", surnames="Quispe Ccahuana", sex="F",
                                   birth="1988-07-14", relationship="head", insurance="sis"))
            click(d, "[data-testid=save]")
            wait(d, lambda: css(d, "[data-testid=household-title]"), what="the new household")
            wait(d, lambda: any(h["community"] == "Huayllay" for h in cli(hub_dir, "household", "list")),
                 timeout=30, what="the household at the hub")

            # A household added at the hub appears in the app without a restart.
            cli(hub_dir, "--promotor", "Marleni Huamán", "household", "add", stdin=json.dumps({
                "community": "Huayllay", "sector": "Bajo", "address": "Detrás del colegio", "consent": True,
                "members": [{"given_names": "Wilber", "surnames": "Apaza Ñaupa", "sex": "M",
                             "birth": {"date": "1979-02-11"}, "relationship": "head", "insurance": "none"}]}))
            click(d, "[data-nav=households]")
            wait(d, lambda: "Wilber Apaza Ñaupa" in css(d, "[data-testid=household-list]").text,
                 timeout=30, what="the hub's household in the app")
            # The household the post refused is marked "sin enviar"; the ones it has are not.
            def marked():
                return {r.find_element(By.CSS_SELECTOR, "strong").text for r in d.find_elements(By.CSS_SELECTOR, "[data-household]")
                        if r.find_elements(By.CSS_SELECTOR, "[data-testid=unsent]")}
            wait(d, lambda: marked() == {"Nilda Huarcaya"}, what="only the refused household marked")
            shot(d, "households-after-sync-phone")
            click(d, "[data-nav=sync]")
            # Only the refused household waits.
            wait(d, lambda: "1 hogar esperando" in css(d, "[data-testid=sync-waiting]").text, what="one waiting")
            shot(d, "sync-phone")
            resize(d, DESKTOP)
            shot(d, "sync-desktop")
            resize(d, PHONE)

            # No link: the health post's server is off. A household recorded there reaches
            # the phone on a USB stick: the bundle is read, previewed, then applied.
            hub.terminate()
            hub.wait()
            cli(hub_dir, "--promotor", "Marleni Huamán", "household", "add", stdin=json.dumps({
                "community": "Huayllay", "address": "Junto al reservorio", "consent": True,
                "members": [{"given_names": "Eusebia", "surnames": "Ccama Puma", "sex": "F",
                             "birth": {"date": "1969-09-09"}, "relationship": "head", "insurance": "sis"}]}))
            (device,) = cli(hub_dir, "hub", "devices")
            os.makedirs(os.path.join(data, "paquetes"), exist_ok=True)
            cli(hub_dir, "bundle", "write", os.path.join(data, "paquetes", "del-puesto.ayllu"), "--for", device["device_id"])
            click(d, "[data-nav=today]")
            click(d, "[data-nav=sync]")
            usb = wait(d, lambda: css(d, "[data-testid=usb]"), what="the USB card")
            d.execute_script("arguments[0].scrollIntoView({block: 'start'})", usb)
            press(d, wait(d, lambda: css(d, "[data-testid=usb-files] button.row"), what="the bundle on the list"))
            preview = wait(d, lambda: css(d, "[data-testid=usb-preview]"), what="what the bundle would change").text
            assert "cambiarían aquí: 1" in preview, preview
            shot(d, "sync-usb-preview-phone")
            assert not any(h["address"] == "Junto al reservorio" for h in cli(data, "household", "list")), "a preview writes nothing"
            click(d, "[data-testid=usb-apply]")
            wait(d, lambda: any(h["address"] == "Junto al reservorio" for h in cli(data, "household", "list")),
                 what="the household from the bundle")
            # And the other way: what the post lacks, written to a file.
            click(d, "[data-testid=usb-write-here]")
            wrote = wait(d, lambda: css(d, "[data-testid=usb-written]").text, what="the bundle written")
            assert "Se guard" in wrote, wrote

            # Two people change one address while apart: the phone here, staff at the post.
            # Neither edit is lost; the household shows the field and both values in words.
            teodora = next(h for h in cli(hub_dir, "household", "list") if h["address"] == "Casa azul junto al puente")
            cli(hub_dir, "--promotor", "Marleni Huamán", "household", "edit", teodora["id"],
                stdin=json.dumps({"address": "Casa azul, puerta verde"}))
            click(d, "[data-nav=households]")
            typ(d, "input[name=search]", "Teodora")
            press(d, wait(d, lambda: css(d, "[data-testid=household-list] [data-household]"), what="Teodora's household"))
            click(d, "[data-testid=edit-household]")
            wait(d, lambda: css(d, "input[name=address]").get_attribute("value") == "Casa azul junto al puente", what="the edit form")
            typ(d, "input[name=address]", "Casa celeste junto al puente")
            click(d, "[data-testid=save]")
            wait(d, lambda: css(d, "[data-testid=household-title]"), what="the household again")
            cli(hub_dir, "bundle", "write", os.path.join(data, "paquetes", "del-puesto-2.ayllu"), "--for", device["device_id"])
            click(d, "[data-nav=sync]")
            second = wait(d, lambda: next((b for b in d.find_elements(By.CSS_SELECTOR, "[data-testid=usb-files] button.row")
                                           if "del-puesto-2" in b.text), None), what="the second bundle")
            press(d, second)
            click(d, "[data-testid=usb-apply]")
            wait(d, lambda: not d.find_elements(By.CSS_SELECTOR, "[data-testid=usb-preview]"), what="the bundle applied")
            click(d, "[data-nav=households]")
            typ(d, "input[name=search]", "Teodora")
            press(d, wait(d, lambda: css(d, "[data-testid=household-list] [data-household]"), what="Teodora's household"))
            conflict = wait(d, lambda: css(d, '[data-testid=conflicts] [data-field="info.address"]'), what="the conflict").text
            for words in ["Dirección", "Casa celeste junto al puente", "Casa azul, puerta verde"]:
                assert words in conflict, conflict
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", css(d, "[data-testid=conflicts]"))
            shot(d, "household-conflict-phone")
        finally:
            d.quit()
    finally:
        hub.terminate()
        hub.wait()


def test_a_committee_device_reads_the_indicators_only():
    """A CLAS board member's phone: enrolled as committee, it shows the health post's
    indicator report (counts under 5 hidden by the hub) and no census screen."""
    hub_dir = tempfile.mkdtemp(prefix="ayllu-hub-")
    data = tempfile.mkdtemp(prefix="ayllu-e2e-")
    hub, url = start_hub(hub_dir)
    try:
        for i, (given, sur) in enumerate([("Teodora", "Quispe"), ("Wilber", "Apaza"), ("Nilda", "Huarcaya")]):
            cli(hub_dir, "--promotor", "Juana Condori", "household", "add", stdin=json.dumps({
                "community": "Ccorca", "address": f"Casa {i} junto al puente", "consent": True,
                "members": [{"given_names": given, "surnames": sur, "sex": "F" if i != 1 else "M",
                             "birth": {"date": f"198{i}-05-05"}, "relationship": "head", "insurance": "sis"}]}))
        code = cli(hub_dir, "hub", "enroll", "--promotor", "Rosa Mamani", "--all-communities",
                   "--role", "committee")["code"]
        d = open_app(data)
        try:
            welcome(d, "Rosa Mamani")
            click(d, "[data-nav=sync]")
            typ(d, "input[name=hub_url]", url)
            typ(d, "input[name=code]", code)
            click(d, "[data-testid=enroll]")
            frame = wait(d, lambda: css(d, "[data-testid=hub-report]"), timeout=30, what="the hub's report")
            tabs = [b.get_attribute("data-nav") for b in d.find_elements(By.CSS_SELECTOR, ".tabs button")]
            assert tabs == ["report", "settings"], tabs
            assert not d.find_elements(By.CSS_SELECTOR, "[data-testid=sync-chip]"), "no sync chip for the committee"
            report = frame.get_attribute("srcdoc")
            assert "Ccorca" in report and "&lt;5" in report, report[:500]
            # 3 households: the key figure reads "<5", not 0 (nor 3).
            assert "<b>&lt;5</b>hogares" in report, report[:1500]
            for personal in ["Teodora", "Quispe", "Wilber", "Huarcaya", "junto al puente"]:
                assert personal not in report, personal
            shot(d, "committee-report-phone")
            # Restarted, it opens on the report again.
        finally:
            d.quit()
        d = open_app(data)
        try:
            wait(d, lambda: css(d, "[data-testid=hub-report]"), timeout=30, what="the report after a restart")
        finally:
            d.quit()
    finally:
        hub.terminate()
        hub.wait()


def test_facility_mode():
    data = tempfile.mkdtemp(prefix="ayllu-facility-")
    device = tempfile.mkdtemp(prefix="ayllu-device-")
    d = open_app(data, size=DESKTOP)
    try:
        welcome(d, "Marleni Huamán")
        click(d, "[data-nav=settings]")
        click(d, "[data-testid=open-facility]")
        # The health post's screens ask for the staff passphrase, not the PIN: set once here,
        # typed twice (a PIN-length one is refused).
        wait(d, lambda: css(d, "[data-testid=staff-gate] input[name=passphrase_again]"), what="the staff passphrase to set")
        typ(d, "input[name=passphrase]", PIN)
        typ(d, "input[name=passphrase_again]", PIN)
        click(d, "[data-testid=staff-submit]")
        field_error(d, "passphrase")
        resize(d, PHONE)
        shot(d, "facility-passphrase-phone")
        resize(d, DESKTOP)
        typ(d, "input[name=passphrase]", STAFF)
        typ(d, "input[name=passphrase_again]", STAFF)
        click(d, "[data-testid=staff-submit]")
        wait(d, lambda: css(d, "input[name=port]"), what="the facility screen")
        typ(d, "input[name=port]", "0")
        click(d, "[data-testid=facility-start]")
        # Port 0 is refused (ports start at 1024); a free one is taken instead.
        field_error(d, "port")
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        typ(d, "input[name=port]", str(port))
        # It serves on one address the staff choose (here this machine only), never on all.
        lan = css(d, "select[name=listen] option").get_attribute("value")
        choose(d, "select[name=listen]", "127.0.0.1")
        resize(d, PHONE)
        shot(d, "facility-start-phone")
        resize(d, DESKTOP)
        click(d, "[data-testid=facility-start]")
        wait(d, lambda: css(d, "[data-testid=facility]").get_attribute("data-running") == "true", what="the hub running")
        assert f"https://127.0.0.1:{port}" in css(d, "[data-testid=hub-address]").text
        if lan != "127.0.0.1":
            probe = socket.socket()
            probe.settimeout(2)
            assert probe.connect_ex((lan, port)) != 0, f"the hub answers on {lan} too"
            probe.close()
        typ(d, "input[name=code_promotor]", "Juana Condori")
        click(d, "[data-testid=create-code]")
        code = wait(d, lambda: css(d, "[data-testid=enroll-code]").text, what="an enrollment code")
        assert css(d, ".qr svg")
        shot(d, "facility-desktop")
        # A phone (here the CLI) enrolls with that code and syncs with the app's hub.
        cli(device, "init", "--as", "Juana Condori")
        # The code carries the fingerprint of the app's certificate: 7 groups of 4.
        assert len(code.split("-")) == 7, code
        cli(device, "enroll", "--hub", f"https://127.0.0.1:{port}", "--code", code, "--name", "celular de Juana")
        cli(device, "sync")
        wait(d, lambda: "celular de Juana" in css(d, "[data-testid=facility]").find_element(By.XPATH, "..").text, timeout=10,
             what="the device listed")
        resize(d, PHONE)
        shot(d, "facility-phone")
        # The code left communities empty: the device is listed as granted all of them.
        devices = css(d, "[data-testid=devices]")
        assert "todas las comunidades" in devices.text, devices.text
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", devices)
        # One tab lit, and it fits: the health post's own tab, on one line.
        lit = [b.get_attribute("data-nav") for b in d.find_elements(By.CSS_SELECTOR, ".tabs button.active")]
        assert lit == ["facility"], lit
        heights = {b.size["height"] for b in d.find_elements(By.CSS_SELECTOR, ".tabs button")}
        assert len(heights) == 1, heights
        # Taking a phone's access away asks first; "No" changes nothing.
        press(d, css(d, "[data-testid=revoke]"))
        confirm = wait(d, lambda: css(d, "[data-testid=revoke-confirm]"), what="the question before removing access")
        assert "celular de Juana" in confirm.text, confirm.text
        shot(d, "facility-devices-phone")
        press(d, css(d, "[data-testid=revoke-no]"))
        assert css(d, "[data-testid=revoke]") and "revocado" not in css(d, "[data-testid=devices]").text

        # The Local Health Plan export: the spreadsheet lands in the data folder's exportes/.
        resize(d, DESKTOP)
        cli(data, "household", "add", "--promotor", "Marleni Huamán", stdin=json.dumps({
            "community": "Ccorca", "address": "Frente a la capilla", "consent": True,
            "members": [{"given_names": "Rosa", "surnames": "Quispe", "sex": "F", "birth": {"date": "1994-03-02"},
                         "relationship": "head", "insurance": "sis"},
                        {"given_names": "Killa", "surnames": "Quispe", "sex": "F", "birth": {"date": months_ago(18)},
                         "relationship": "child", "insurance": "none"}]}))
        card = css(d, "[data-testid=open-export]")
        d.execute_script("window.scrollTo(0, arguments[0].getBoundingClientRect().top + window.scrollY - 300)", card)
        shot(d, "facility-export-card-desktop")
        click(d, "[data-testid=open-export]")
        wait(d, lambda: css(d, "[data-testid=export]"), what="the export screen")
        press(d, css(d, '[data-format="xlsx"]'))
        click(d, "[data-testid=export-run]")
        done = wait(d, lambda: css(d, "[data-testid=export-done]"), what="the export result").text
        year = dt.date.today().year
        path = os.path.join(data, "exportes", f"indicadores-{year}.xlsx")
        assert path in done and "hogares: 1" in done, done
        import zipfile
        sheets = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 7, sheets
        shot(d, "export-desktop")
        press(d, css(d, '[data-format="html"]'))
        choose(d, "select[name=community]", "Ccorca")
        click(d, "[data-testid=export-run]")
        report = os.path.join(data, "exportes", f"informe-{year}-ccorca.html")
        wait(d, lambda: report in css(d, "[data-testid=export-done]").text, what="the report")
        html = open(report, encoding="utf-8").read()
        assert "Indicadores para el Plan de Salud Local" in html and "Ccorca" in html
        # A code's communities are picked from the ones the census knows.
        click(d, "[data-nav=facility]")
        offered = wait(d, lambda: css(d, "[data-testid=code-communities]"), what="the communities to pick")
        wait(d, lambda: offered.find_elements(By.CSS_SELECTOR, 'input[name=community][value="Ccorca"]'), what="Ccorca offered")
    finally:
        d.quit()


def check_guide(started):
    """docs/guia-promotora.md shows only screenshots this run just took: it stays current."""
    guide = open("docs/guia-promotora.md", encoding="utf-8").read()
    images = re.findall(r"\]\(screenshots/([\w-]+\.png)\)", guide)
    assert len(images) >= 10, images
    for name in images:
        path = os.path.join(SHOTS, name)
        assert os.path.exists(path) and os.path.getmtime(path) >= started, f"guide image {name} not taken by this run"


if __name__ == "__main__":
    run_started = time.time()
    tests = [test_register_visit_search_and_reopen, test_a_home_visit_in_few_taps, test_sync_with_a_hub,
             test_a_committee_device_reads_the_indicators_only, test_facility_mode]
    only = sys.argv[1:]
    failed = 0
    for test in tests:
        if only and test.__name__ not in only:
            continue
        started = time.time()
        try:
            test()
            print(f"ok   {test.__name__} ({time.time() - started:.1f} s)")
        except Exception:
            failed += 1
            print(f"FAIL {test.__name__}")
            traceback.print_exc()
    if not only and not failed:
        try:
            check_guide(run_started)
            print("ok   the promotora's guide shows this run's screens")
        except Exception:
            failed += 1
            traceback.print_exc()
    sys.exit(1 if failed else 0)
