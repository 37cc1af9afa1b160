# A LocalStack start hook (copied to /etc/localstack/init/start.d/, run in LocalStack's own process when it starts,
# before it reports Ready) that adds the one documented field the key owner's tools need and LocalStack leaves out.
#
# LocalStack's Secrets Manager answers ListSecretVersionIds from its own patch of moto's backend, which lists
# CreatedDate, VersionId, VersionStages and LastAccessedDate, never KmsKeyIds (localstack/localstack,
# localstack-core/localstack/services/secretsmanager/provider.py, moto_smb_list_secret_version_ids). AWS documents
# KmsKeyIds on every entry ("the KMS keys used to encrypt the secret version"; Secrets Manager API Reference,
# SecretVersionsListEntry), and fetch and credentials refuse a secret whose current version names no key. As in the
# moto launcher (dev/accesskeyrotator/moto/moto_server.py): moto keeps one KmsKeyId per secret, not per version, so
# each version is reported under the secret's key (the AWS managed key when none was given). Nothing else changes.
import json

# Imported first so that LocalStack's own patches are applied before this one wraps them.
import localstack.services.secretsmanager.provider  # noqa: F401
from moto.secretsmanager.models import SecretsManagerBackend

_list_secret_version_ids = SecretsManagerBackend.list_secret_version_ids


def _list_secret_version_ids_with_keys(self, secret_id, *args, **kwargs):
    answer = json.loads(_list_secret_version_ids(self, secret_id, *args, **kwargs))
    key = self.secrets[secret_id].kms_key_id or "alias/aws/secretsmanager"
    for version in answer.get("Versions", []):
        version.setdefault("KmsKeyIds", [key])
    return json.dumps(answer)


SecretsManagerBackend.list_secret_version_ids = _list_secret_version_ids_with_keys
