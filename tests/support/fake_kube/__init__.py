"""A fake Kubernetes API server plus kubelet simulator for tests (Python stdlib only).

Run it with `python3 -m fake_kube --port 0 --state-dir D` from tests/support; see README.md.
"""
