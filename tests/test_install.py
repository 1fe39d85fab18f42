"""What `pip install santa_lib` brings, and what `import santa_lib` says without TensorFlow."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HIDE = '''
import importlib.abc, sys

class Hide(importlib.abc.MetaPathFinder):
    """A Python without {module}: every finder after this one is never asked."""
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "{module}":
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)

sys.meta_path.insert(0, Hide())
try:
    import santa_lib
except ModuleNotFoundError as error:
    print(error.name)
    print(error)
'''


def import_without(module: str, backend: str | None) -> tuple[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "KERAS_BACKEND"}
    if backend:
        env["KERAS_BACKEND"] = backend
    result = subprocess.run([sys.executable, "-c", HIDE.format(module=module)],
                            capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    name, message = result.stdout.split("\n", 1)
    return name, message


def test_no_tensorflow_build_is_forced_on_an_install():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [line.split(">")[0].split(";")[0].strip() for line in project["dependencies"]]
    assert "keras" in names
    assert not {"tensorflow", "tensorflow-cpu"} & set(names)
    extras = project["optional-dependencies"]
    assert extras["tensorflow"] == ["tensorflow>=2.16"]
    assert extras["tensorflow-cpu"] == ["tensorflow-cpu>=2.16"]
    assert {"jax", "torch"} <= set(extras)


def test_without_tensorflow_the_import_says_what_to_install():
    name, message = import_without("tensorflow", None)
    assert name == "tensorflow"
    assert "pip install 'santa_lib[tensorflow]'" in message
    assert "'santa_lib[tensorflow-cpu]'" in message
    assert sys.executable in message


def test_on_jax_tensorflow_is_not_needed_but_jax_is():
    name, _ = import_without("tensorflow", "jax")
    assert name != "tensorflow"  # imported, or only jax asked for where jax is missing
    name, message = import_without("jax", "jax")
    assert name == "jax"
    assert "Keras' jax backend" in message and "pip install 'santa_lib[jax]'" in message
    assert "tensorflow-cpu" not in message


def test_with_tensorflow_the_import_stays_cheap():
    code = "import sys, santa_lib\nprint('tensorflow' in sys.modules, 'keras' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert result.stdout.split() == ["False", "False"]
