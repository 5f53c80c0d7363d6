"""Framework uploads through the page: every problem listed with node and field, nothing stored.

The engine's tests cover each validation rule; these check that the web upload shows them and
that hostile YAML (entity-expansion bombs, unknown or Python tags) is refused by safe loading.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dti.web.audit.models import AuditEvent
from dti.web.frameworks.models import FrameworkVersion

MINI = (Path(__file__).resolve().parents[1] / "fixtures" / "mini.yaml").read_text()

BILLION_LAUGHS = """code: bomb
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""

CASES = [
    ("a leaf without a rule", MINI.replace("        rule: {type: boolean}\n", "", 1), ["1.1"]),
    ("a negative maximum", MINI.replace("        max: 20\n", "        max: -20\n", 1), ["1.2"]),
    ("a duplicate node code", MINI.replace('code: "1.2"', 'code: "1.1"', 1), ["1.1"]),
    ("an unknown rule type", MINI.replace("{type: boolean}", "{type: magic}", 1), ["magic"]),
    ("entity-expansion bomb (aliases)", BILLION_LAUGHS, ["alias"]),
    ("python object tag", "code: !!python/object/apply:os.system ['touch /tmp/pwned']\n", ["tag"]),
    ("unknown tag", "code: !include /etc/passwd\n", ["tag"]),
    ("not a mapping", "- just\n- a list\n", []),
    ("binary garbage", "\x00\x01\x02: [", []),
    # Parser limits (issue #17): 50,000 nested brackets exhausted the recursion; an integer
    # past Python's 4,300-digit limit raised ValueError. Both answered HTTP 500.
    ("deeply nested brackets", "code: " + "[" * 50_000 + "]" * 50_000 + "\n", ["nested"]),
    ("a 5,000-digit integer", "code: x\nversion: " + "9" * 5_000 + "\n", ["digits"]),
]


@pytest.fixture
def admin(world: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(world["users"]["admin"])
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(("case", "text", "names"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("how", ["file", "pasted"])
def test_malformed_framework_lists_problems_and_stores_nothing(
    admin: Client, case: str, text: str, names: list[str], how: str
) -> None:
    before = (FrameworkVersion.objects.count(), AuditEvent.objects.count())
    if how == "file":
        upload = SimpleUploadedFile("bo-chi-so.yaml", text.encode())
        response = admin.post(reverse("framework_upload"), {"file": upload})
    else:
        response = admin.post(reverse("framework_upload"), {"text": text})
    assert response.status_code == 200, case
    form_errors = [str(m) for ms in response.context["form"].errors.values() for m in ms]
    problems = response.context["problems"] or form_errors
    assert problems, case
    joined = " ".join(problems)
    for name in names:
        assert name in joined, (case, joined)
    assert (FrameworkVersion.objects.count(), AuditEvent.objects.count()) == before
    assert not Path("/tmp/pwned").exists()


def test_field_problems_name_the_node_and_the_field(admin: Client) -> None:
    text = MINI.replace("        max: 20\n", "        max: -20\n", 1)
    response = admin.post(reverse("framework_upload"), {"text": text})
    joined = " ".join(response.context["problems"])
    assert "1.2" in joined and "max" in joined, joined
