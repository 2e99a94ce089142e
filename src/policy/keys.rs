//! What is known of condition keys themselves: which can carry several values in one request.

/// Condition keys that can hold a list of values in a request (`ArrayOf*` in the Service
/// Authorization Reference, and the multivalued global keys). Such a key may be absent,
/// present with an empty list, one value, or several; all of these are cases to consider.
///
/// Sources: "AWS global condition context keys" (IAM User Guide) for the `aws:` keys; the
/// Service Authorization Reference for Amazon EC2 Auto Scaling for the `autoscaling:` keys.
const MULTIVALUED: [&str; 13] = [
    "aws:TagKeys",
    "aws:CalledVia",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalOrgPaths",
    "aws:ResourceOrgPaths",
    "aws:SourceOrgPaths",
    "autoscaling:CapacityReservationIds",
    "autoscaling:CapacityReservationResourceGroupArns",
    "autoscaling:LoadBalancerNames",
    "autoscaling:TargetCapacityTypes",
    "autoscaling:TargetGroupARNs",
    "autoscaling:TrafficSourceIdentifiers",
    "autoscaling:VPCZoneIdentifiers",
];

/// The page that says which keys are multivalued and that they need a set operator.
pub const MULTIVALUED_KEYS_PAGE: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html";

/// True when the key is known to be multivalued (names are case-insensitive).
pub fn is_multivalued(key: &str) -> bool {
    MULTIVALUED.iter().any(|k| k.eq_ignore_ascii_case(key))
}
