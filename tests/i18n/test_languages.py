"""English and Simplified Chinese: the catalogue is complete, anonymous visitors get their browser's language,
signed-in users keep the language they chose."""

from pathlib import Path

import polib
import pytest
from django.core.management import call_command

from accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_the_chinese_catalogue_translates_every_string():
    catalogue = polib.pofile(str(CATALOGUE))

    assert len(catalogue) > 100
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_a_run_of_an_analysis_is_an_analysis_in_chinese():
    """ "运行" is the verb (to run a model); an analysis run, the noun, is "分析": "客户终身价值分析 #3"."""
    catalogue = polib.pofile(str(CATALOGUE))
    runs = [entry for entry in catalogue if entry.msgid in {"Run", "Run of", "model run", ", lifetime value run #%(id)s"}]

    assert len(runs) == 4
    assert all("分析" in entry.msgstr and "运行" not in entry.msgstr for entry in runs)
    assert [entry.msgid for entry in catalogue if "运行" in entry.msgstr and "The newest run" in entry.msgid] == []


def test_anonymous_visitors_get_the_browsers_language(client):
    chinese = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert chinese["Content-Language"] == "zh-hans"
    assert "登录" in chinese.content.decode()
    assert english["Content-Language"] == "en"


def test_switching_language_is_remembered_on_the_account(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post("/accounts/language/", {"language": "zh-hans", "next": "/teams/"})
    client.cookies.clear()  # a new browser: only the account remembers
    client.force_login(user)
    page = client.get("/teams/", HTTP_ACCEPT_LANGUAGE="en")

    assert response["Location"] == "/teams/"
    assert User.objects.get(pk=user.pk).language == "zh-hans"
    assert page["Content-Language"] == "zh-hans"
    assert "团队" in page.content.decode()


def test_switching_language_refuses_foreign_redirects(client):
    response = client.post("/accounts/language/", {"language": "en", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_anonymous_switch_uses_a_cookie(client):
    client.post("/accounts/language/", {"language": "zh-hans"})

    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "zh-hans"


def test_every_translatable_string_in_the_code_is_in_the_catalogue(settings):
    """Re-extract the strings from code and templates (as a developer would with makemessages) and check that
    nothing new is left untranslated. The catalogue file is restored afterwards."""
    original = CATALOGUE.read_text(encoding="utf-8")
    try:
        call_command("makemessages", locale=["zh_Hans"], ignore_patterns=[".venv/*", "var/*", "tests/*"], no_location=True, verbosity=0)
        catalogue = polib.pofile(str(CATALOGUE))
        missing = [entry.msgid for entry in [*catalogue.untranslated_entries(), *catalogue.fuzzy_entries()]]
    finally:
        CATALOGUE.write_text(original, encoding="utf-8")

    assert missing == []
