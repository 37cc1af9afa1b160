#!/usr/bin/env python3
"""Writes each state machine definition of a synthesized template as plain JSON, for asl-validator.

CDK builds a definition with Fn::Join around references (function ARNs, the bucket name, the partition), which
cfn-lint does not validate and asl-validator cannot read. Each reference is replaced by a well-formed placeholder
of the kind the state machine expects there (an ARN of the referenced resource's type, a bucket name), so the
validator checks the definition's structure, paths and ARN shapes as Step Functions would after deployment.

usage: state-machine-definitions.py TEMPLATE OUTPUT_DIR   (prints the files written)
"""
import json
import os
import sys

ACCOUNT = "111111111111"
REGION = "us-east-1"


def placeholder(value, resources):
    if "Ref" in value:
        name = value["Ref"]
        pseudo = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "stack"}
        if name in pseudo:
            return pseudo[name]
        kind = resources.get(name, {}).get("Type", "")
        if kind == "AWS::S3::Bucket":
            return "placeholder-bucket-" + name.lower()[:40]
        if kind == "AWS::Lambda::Alias":
            # An alias's Ref is its ARN: the function's ARN with the alias name as qualifier.
            return "%s:%s" % (arn_for("AWS::Lambda::Function", name), resources[name]["Properties"]["Name"])
        return arn_for(kind, name)
    if "Fn::GetAtt" in value:
        name, attribute = value["Fn::GetAtt"]
        kind = resources.get(name, {}).get("Type", "")
        if attribute != "Arn":
            raise SystemExit("no placeholder for Fn::GetAtt %s.%s" % (name, attribute))
        return arn_for(kind, name)
    raise SystemExit("no placeholder for %s" % json.dumps(value))


def arn_for(kind, name):
    arns = {
        "AWS::Lambda::Function": "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name),
        "AWS::StepFunctions::StateMachine": "arn:aws:states:%s:%s:stateMachine:%s" % (REGION, ACCOUNT, name),
        "AWS::SNS::Topic": "arn:aws:sns:%s:%s:%s" % (REGION, ACCOUNT, name),
        "AWS::SQS::Queue": "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name),
        "AWS::IAM::Role": "arn:aws:iam::%s:role/%s" % (ACCOUNT, name),
        "AWS::S3::Bucket": "arn:aws:s3:::placeholder-bucket-%s" % name.lower()[:40],
    }
    if kind not in arns:
        raise SystemExit("no placeholder ARN for %s (%s)" % (name, kind))
    return arns[kind]


def resolve(definition, resources):
    if isinstance(definition, str):
        return definition
    if "Fn::Join" in definition:
        separator, parts = definition["Fn::Join"]
        return separator.join(resolve(part, resources) if isinstance(part, dict) and "Fn::Join" in part
                              else part if isinstance(part, str) else placeholder(part, resources)
                              for part in parts)
    return placeholder(definition, resources)


def main(template_path, output_dir):
    template = json.load(open(template_path))
    resources = template.get("Resources", {})
    written = 0
    for name, resource in sorted(resources.items()):
        if resource["Type"] != "AWS::StepFunctions::StateMachine":
            continue
        properties = resource["Properties"]
        if "DefinitionString" in properties:
            text = resolve(properties["DefinitionString"], resources)
        else:
            text = json.dumps(properties["Definition"])
        json.loads(text)  # must be JSON once resolved
        path = os.path.join(output_dir, name + ".asl.json")
        with open(path, "w") as out:
            out.write(text)
        print(path)
        written += 1
    return written


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
