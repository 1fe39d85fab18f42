"""What `pip install santa_lib` brings, and what `import santa_lib` says without TensorFlow."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HIDE_TENSORFLOW = '''
import importlib.abc, sys

class HideTensorFlow(importlib.abc.MetaPathFinder):
    """A Python without TensorFlow: every finder after this one is never asked."""
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "tensorflow":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, HideTensorFlow())
'''


def test_no_tensorflow_build_is_forced_on_an_install():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [line.split(">")[0].split(";")[0].strip() for line in project["dependencies"]]
    assert "keras" in names
    assert not {"tensorflow", "tensorflow-cpu"} & set(names)
    extras = project["optional-dependencies"]
    assert extras["tensorflow"] == ["tensorflow>=2.16"]
    assert extras["tensorflow-cpu"] == ["tensorflow-cpu>=2.16"]


def test_without_tensorflow_the_import_says_what_to_install():
    code = HIDE_TENSORFLOW + '''
try:
    import santa_lib
except ModuleNotFoundError as error:
    print(error.name)
    print(error)
'''
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    name, message = result.stdout.split("\n", 1)
    assert name == "tensorflow"
    assert "pip install 'santa_lib[tensorflow]'" in message
    assert "pip install 'santa_lib[tensorflow-cpu]'" in message
    assert sys.executable in message


def test_with_tensorflow_the_import_stays_cheap():
    code = "import sys, santa_lib\nprint('tensorflow' in sys.modules, 'keras' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert result.stdout.split() == ["False", "False"]
