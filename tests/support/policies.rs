//! Generated policies shared by the benchmarks and the tests (included by path).

// Each includer uses some of these.
#![allow(dead_code)]

use std::fmt::Write as _;

/// A policy of `n` statements that do match Auto Scaling requirements: Auto Scaling, EC2,
/// IAM and SSM actions, wildcard resources in the ARNs the requirements ask about, and
/// conditions on keys the requests do not carry (so results stay open and are refined).
pub fn matching_policy(n: usize) -> String {
    const ACTIONS: [&str; 12] = [
        "autoscaling:Create*",
        "autoscaling:Update*",
        "autoscaling:*",
        "ec2:RunInstances",
        "ec2:CreateTags",
        "iam:PassRole",
        "ec2:Describe*",
        "ssm:GetParameters",
        "autoscaling:Describe*",
        "vpc-lattice:*",
        "elasticloadbalancing:*",
        "iam:CreateServiceLinkedRole",
    ];
    const RESOURCES: [&str; 6] = [
        "*",
        "arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/team-{i}-*",
        "arn:aws:ec2:*:*:launch-template/lt-{i}*",
        "arn:aws:iam::*:role/app-{i}-*",
        "arn:aws:ec2:us-east-1:111122223333:instance/*",
        "arn:aws:ssm:*:*:parameter/ami-{i}",
    ];
    const KEYS: [&str; 4] = [
        "aws:RequestTag/team",
        "aws:ResourceTag/env",
        "iam:PassedToService",
        "aws:PrincipalTag/dept",
    ];
    let mut s = String::from("{\"Version\":\"2012-10-17\",\"Statement\":[");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let effect = if i % 10 == 9 { "Deny" } else { "Allow" };
        let actions = format!("\"{}\",\"{}\"", ACTIONS[i % 12], ACTIONS[(i * 7 + 3) % 12]);
        let resources: Vec<String> = (0..3)
            .map(|k| {
                format!(
                    "\"{}\"",
                    RESOURCES[(i + k * 2) % 6].replace("{i}", &i.to_string())
                )
            })
            .collect();
        write!(
            s,
            r#"{{"Sid":"S{i}","Effect":"{effect}","Action":[{actions}],"Resource":[{}]"#,
            resources.join(",")
        )
        .ok();
        if i % 2 == 0 {
            let op = ["StringEquals", "StringLike", "StringNotEquals"][i % 3];
            write!(
                s,
                r#","Condition":{{"{op}":{{"{}":"v{}*"}}}}"#,
                KEYS[i % 4],
                i % 7
            )
            .ok();
        }
        s.push('}');
    }
    s.push_str("]}");
    s
}

/// A policy of `n` statements, each of which the parser warns about (a multivalued key
/// tested without a set operator).
pub fn warned_policy(n: usize) -> String {
    let statement = r#"{"Effect":"Allow","Action":"autoscaling:*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"x"}}}"#;
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        vec![statement; n].join(",")
    )
}

/// A policy of one statement that tests `keys` condition keys (`aws:RequestTag/k0`, ...),
/// none of them in a request.
pub fn many_keys_policy(keys: usize) -> String {
    let conditions: Vec<String> = (0..keys)
        .map(|i| format!(r#""aws:RequestTag/k{i}":"v""#))
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":"*","Condition":{{"StringEquals":{{{}}}}}}}]}}"#,
        conditions.join(",")
    )
}

/// An account of `principals` roles and users (two thirds roles). Roles carry an inline
/// policy that may launch from templates and pass `app-N-*` roles to EC2; every fifth
/// principal has `AutoScalingFullAccess` attached, every seventh a Deny outside two regions.
pub fn account_details(principals: usize) -> String {
    let roles = principals * 2 / 3;
    let mut s = String::from("{\"RoleDetailList\":[");
    for r in 0..roles {
        if r > 0 {
            s.push(',');
        }
        let attached = if r % 5 == 0 {
            r#"{"PolicyName":"AutoScalingFullAccess","PolicyArn":"arn:aws:iam::aws:policy/AutoScalingFullAccess"}"#
        } else {
            ""
        };
        let deny = if r % 7 == 0 {
            r#",{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}"#
        } else {
            ""
        };
        write!(
            s,
            r#"{{"RoleName":"app-{n}-{r}","Arn":"arn:aws:iam::111122223333:role/app-{n}-{r}","RolePolicyList":[{{"PolicyName":"inline","PolicyDocument":{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Action":["autoscaling:CreateAutoScalingGroup","autoscaling:UpdateAutoScalingGroup","autoscaling:Describe*"],"Resource":"*"}},
            {{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}},
            {{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/app-{n}-*","Condition":{{"StringEquals":{{"iam:PassedToService":"ec2.amazonaws.com"}}}}}}{deny}]}}}}],"AttachedManagedPolicies":[{attached}]}}"#,
            n = r % 100,
        )
        .ok();
    }
    s.push_str("],\"UserDetailList\":[");
    for u in 0..principals - roles {
        if u > 0 {
            s.push(',');
        }
        write!(
            s,
            r#"{{"UserName":"user-{u}","Arn":"arn:aws:iam::111122223333:user/user-{u}","GroupList":["ops"],"UserPolicyList":[],"AttachedManagedPolicies":[]}}"#
        )
        .ok();
    }
    write!(
        s,
        r#"],"GroupDetailList":[{{"GroupName":"ops","Arn":"arn:aws:iam::111122223333:group/ops","GroupPolicyList":[],"AttachedManagedPolicies":[{{"PolicyName":"AutoScalingFullAccess","PolicyArn":"arn:aws:iam::aws:policy/AutoScalingFullAccess"}}]}}],"Policies":[{{"PolicyName":"AutoScalingFullAccess","Arn":"arn:aws:iam::aws:policy/AutoScalingFullAccess","DefaultVersionId":"v1","PolicyVersionList":[{{"VersionId":"v1","IsDefaultVersion":true,"Document":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"autoscaling:*","Resource":"*"}}]}}}}]}}]}}"#
    )
    .ok();
    s
}

/// An account of a role `deploy` that may do everything and a user `Deploy` with no policy:
/// IAM keeps roles' and users' names apart.
pub fn same_name_account() -> String {
    let allow_all = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["autoscaling:*","ec2:*","iam:*"],"Resource":"*"}]}"#;
    format!(
        r#"{{"UserDetailList":[{{"UserName":"Deploy","Arn":"arn:aws:iam::111122223333:user/Deploy","GroupList":[],"UserPolicyList":[],"AttachedManagedPolicies":[]}}],
"GroupDetailList":[],
"RoleDetailList":[{{"RoleName":"deploy","Arn":"arn:aws:iam::111122223333:role/deploy","RolePolicyList":[{{"PolicyName":"all","PolicyDocument":{allow_all}}}],"AttachedManagedPolicies":[]}}],
"Policies":[]}}"#
    )
}

/// Every action of the catalog with all its features (what a full refresh asks), for
/// `check_each` as `(name, features)` pairs once borrowed.
pub fn every_action_with_all_features() -> Vec<(String, Vec<String>)> {
    let cat = asg_perms::catalog();
    cat.actions
        .iter()
        .map(|a| (a.name.clone(), cat.feature_ids_for(&a.name)))
        .collect()
}
