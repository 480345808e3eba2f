"""The Python examples in the README's grammar and chapters sections run as shown."""
import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("section", ["grammar", "chapters"])
def test_readme_examples(section, monkeypatch):
    body = re.search(rf"<!-- section: {section} -->(.*?)<!-- end section: {section} -->", README, re.S).group(1)
    examples = "\n".join(re.findall(r"```python\n(.*?)```", body, re.S))
    assert ">>>" in examples
    monkeypatch.chdir(ROOT)
    test = doctest.DocTestParser().get_doctest(examples, {}, f"README:{section}", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, f"README {section} examples differ from what the code prints"
