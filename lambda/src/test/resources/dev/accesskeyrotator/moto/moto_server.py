# moto's server (python3 -m moto.server) on the tests' simulated clock.
#
# Why: the rotator decides on key ages (days) and last use (hours), and records its own times (its intent to create a
# key) that it later compares with IAM's CreateDate. The project's own endpoint and the rotator share one simulated
# clock; moto's server has no way to move time (moto supports freezegun only in-process, in decorator mode), so this
# launcher makes moto read "now" from the file named by MOTO_CLOCK_FILE: one ISO-8601 instant, written by the test
# harness before each step. An empty or missing file means the real time. One documented field moto omits is added
# (KmsKeyIds, below); nothing else about moto is changed.
#
# Usage: MOTO_CLOCK_FILE=/path/now python3 -c "$(cat moto_server.py)" -H 127.0.0.1 -p 0
import datetime
import os
import sys
import time
import types

CLOCK_FILE = os.environ.get("MOTO_CLOCK_FILE", "")
_real_time = time.time


def _simulated_epoch_seconds():
    try:
        with open(CLOCK_FILE, encoding="utf-8") as clock:
            text = clock.read().strip()
    except OSError:
        text = ""
    if not text:
        return _real_time()
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def simulated_utcnow():
    # moto's own utcnow returns a naive UTC datetime; so does this.
    return datetime.datetime.fromtimestamp(_simulated_epoch_seconds(), datetime.timezone.utc).replace(tzinfo=None)


import moto  # noqa: E402  (imports moto.core.responses, which binds utcnow by name)
import moto.core.utils  # noqa: E402

_original_utcnow = moto.core.utils.utcnow
# Modules imported from now on ("from moto.core.utils import utcnow") get the simulated clock ...
moto.core.utils.utcnow = simulated_utcnow
# ... and the ones already imported are rebound.
for _name, _module in list(sys.modules.items()):
    if _name.startswith("moto") and getattr(_module, "utcnow", None) is _original_utcnow:
        _module.utcnow = simulated_utcnow

# Secrets Manager stamps versions and dates with time.time() directly; give that module alone a simulated time.
import moto.secretsmanager.models  # noqa: E402

moto.secretsmanager.models.time = types.SimpleNamespace(**{**vars(time), "time": _simulated_epoch_seconds})

# moto 5.2.1 leaves KmsKeyIds out of ListSecretVersionIds. AWS documents it on every entry ("KmsKeyIds: the KMS keys
# used to encrypt the secret version"; Secrets Manager API Reference, SecretVersionsListEntry), and the key owner's
# tools need it to prove a version was written under the stack's key. moto keeps one KmsKeyId per secret, not per
# version, so each version is reported under the secret's key (the AWS managed key when none was given): a re-key
# that leaves old versions under another key cannot be expressed on moto; the project's endpoint models that case.
import json  # noqa: E402

_list_secret_version_ids = moto.secretsmanager.models.SecretsManagerBackend.list_secret_version_ids


def _list_secret_version_ids_with_keys(self, secret_id):
    answer = json.loads(_list_secret_version_ids(self, secret_id))
    secret = self.secrets[secret_id]
    for version in answer.get("Versions", []):
        version.setdefault("KmsKeyIds", [secret.kms_key_id or "alias/aws/secretsmanager"])
    return json.dumps(answer)


moto.secretsmanager.models.SecretsManagerBackend.list_secret_version_ids = _list_secret_version_ids_with_keys

from moto.server import main  # noqa: E402

# The harness reads the version from this line (and the port from werkzeug's "Running on" line).
print(f"moto {moto.__version__} on a simulated clock from {CLOCK_FILE or '(real time)'}", flush=True)
main(sys.argv[1:])
