//! Resource listings: the AWS CLI's `list`/`describe` outputs of data stores (S3, RDS,
//! Redshift, DynamoDB, Secrets Manager, Elasticsearch) and of compute that carries a role
//! (Lambda functions, EC2 instances), each file recognised by its top-level key. Files of other
//! calls are skipped and named in a warning.

use serde_json::Value;

use super::actions::StoreName;
use super::json::{array, string, Located, Path};

/// Compute that runs with a role: whoever controls it acts as the role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Compute {
    /// `lambda` or `ec2`.
    pub service: &'static str,
    pub name: String,
    pub arn: String,
    /// The role ARN (Lambda) or instance profile ARN (EC2) it runs with.
    pub role: Option<String>,
    pub profile: Option<String>,
}

/// What the listings held.
#[derive(Debug, Clone, Default)]
pub struct Listings {
    /// (kind key, store)
    pub stores: Vec<(&'static str, StoreName)>,
    pub compute: Vec<Compute>,
    /// Compute services whose listing was given (`lambda`, `ec2`): their compute is known.
    pub listed_services: std::collections::BTreeSet<&'static str>,
    /// Files of calls this import does not read.
    pub skipped: Vec<String>,
    /// Bucket policies (`s3api get-bucket-policy`), as (bucket, statements); the bucket is
    /// named by the file, as CloudMapper names them.
    pub bucket_policies: Vec<(String, Vec<super::account::Trust>)>,
}

/// The region of an availability zone (`us-east-1f` → `us-east-1`).
fn zone_region(zone: &str) -> String {
    zone.trim_end_matches(|c: char| c.is_ascii_lowercase())
        .to_string()
}

fn arn_part(arn: &str, i: usize) -> String {
    arn.split(':').nth(i).unwrap_or("").to_string()
}

/// Reads one listing. `region` is the region the file's folder names, if any; `account` the
/// account of the authorization details.
pub fn read_listing(
    v: &Value,
    file: &str,
    region: &str,
    account: &str,
    out: &mut Listings,
) -> Result<(), Located> {
    let root = Path::root();
    let store = |name: &str, region: String, id: String, arn: String| StoreName {
        name: name.to_string(),
        region,
        account: account.to_string(),
        id,
        arn,
    };
    let items = |key: &str| -> Result<Vec<(Path, &Value)>, Located> {
        Ok(array(v, key, &root, file)?
            .iter()
            .enumerate()
            .map(|(i, x)| (root.key(key).index(i), x))
            .collect())
    };
    if let Some(doc) = v
        .get("Policy")
        .filter(|_| v.as_object().is_some_and(|m| m.len() == 1))
    {
        let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
        let bucket = base.strip_suffix(".json").unwrap_or(base);
        super::json::name_ok(bucket, &root, file)?;
        let statements = super::account::principal_statements(doc, &root.key("Policy"), file)?;
        out.stores.push((
            "s3",
            store(
                bucket,
                String::new(),
                String::new(),
                format!("arn:aws:s3:::{bucket}"),
            ),
        ));
        out.bucket_policies.push((bucket.to_string(), statements));
    } else if v.get("Buckets").is_some() {
        for (p, b) in items("Buckets")? {
            let name = string(b, "Name", &p, file)?;
            out.stores.push((
                "s3",
                store(
                    name,
                    String::new(),
                    String::new(),
                    format!("arn:aws:s3:::{name}"),
                ),
            ));
        }
    } else if v.get("DBInstances").is_some() {
        for (p, d) in items("DBInstances")? {
            let name = string(d, "DBInstanceIdentifier", &p, file)?;
            let arn = d.get("DBInstanceArn").and_then(Value::as_str).unwrap_or("");
            let r = if arn.is_empty() {
                d.get("AvailabilityZone")
                    .and_then(Value::as_str)
                    .map_or(region.to_string(), zone_region)
            } else {
                arn_part(arn, 3)
            };
            let id = d
                .get("DbiResourceId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            out.stores
                .push(("rds", store(name, r, id, arn.to_string())));
        }
    } else if v.get("Clusters").is_some() {
        for (p, c) in items("Clusters")? {
            let name = string(c, "ClusterIdentifier", &p, file)?;
            let r = c
                .get("AvailabilityZone")
                .and_then(Value::as_str)
                .map_or(region.to_string(), zone_region);
            out.stores
                .push(("redshift", store(name, r, String::new(), String::new())));
        }
    } else if v.get("TableNames").is_some() {
        for (p, t) in items("TableNames")? {
            let name = t
                .as_str()
                .ok_or_else(|| Located::new(file, &p, "expected a table name".into()))?;
            super::json::name_ok(name, &p, file)?;
            out.stores.push((
                "dynamodb",
                store(name, region.to_string(), String::new(), String::new()),
            ));
        }
    } else if v.get("SecretList").is_some() {
        for (p, s) in items("SecretList")? {
            let name = string(s, "Name", &p, file)?;
            let arn = string(s, "ARN", &p, file)?;
            out.stores.push((
                "secretsmanager",
                store(name, arn_part(arn, 3), String::new(), arn.to_string()),
            ));
        }
    } else if v.get("DomainNames").is_some() {
        for (p, d) in items("DomainNames")? {
            let name = string(d, "DomainName", &p, file)?;
            out.stores.push((
                "es",
                store(name, region.to_string(), String::new(), String::new()),
            ));
        }
    } else if !read_compute(v, file, region, account, out)? {
        out.skipped.push(file.to_string());
    }
    Ok(())
}

/// Reads a listing of compute (Lambda functions, EC2 instances); `false` when it is not one.
fn read_compute(
    v: &Value,
    file: &str,
    region: &str,
    account: &str,
    out: &mut Listings,
) -> Result<bool, Located> {
    let root = Path::root();
    let items = |key: &str| -> Result<Vec<(Path, &Value)>, Located> {
        Ok(array(v, key, &root, file)?
            .iter()
            .enumerate()
            .map(|(i, x)| (root.key(key).index(i), x))
            .collect())
    };
    if v.get("Functions").is_some() {
        out.listed_services.insert("lambda");
        for (p, f) in items("Functions")? {
            out.compute.push(Compute {
                service: "lambda",
                name: string(f, "FunctionName", &p, file)?.to_string(),
                arn: string(f, "FunctionArn", &p, file)?.to_string(),
                role: f.get("Role").and_then(Value::as_str).map(str::to_string),
                profile: None,
            });
        }
    } else if v.get("Reservations").is_some() {
        out.listed_services.insert("ec2");
        for (p, r) in items("Reservations")? {
            for (i, inst) in array(r, "Instances", &p, file)?.iter().enumerate() {
                let p = p.key("Instances").index(i);
                let id = string(inst, "InstanceId", &p, file)?;
                let zone = inst
                    .pointer("/Placement/AvailabilityZone")
                    .and_then(Value::as_str);
                let r = zone.map_or(region.to_string(), zone_region);
                out.compute.push(Compute {
                    service: "ec2",
                    name: id.to_string(),
                    arn: format!("arn:aws:ec2:{r}:{account}:instance/{id}"),
                    role: None,
                    profile: inst
                        .pointer("/IamInstanceProfile/Arn")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                });
            }
        }
    } else {
        return Ok(false);
    }
    Ok(true)
}

/// A store named in a policy's `Resource` (a concrete name, no wildcard in it), as (kind key,
/// store): `arn:aws:s3:::bucket/*` names bucket `bucket`.
pub fn named_store(arn: &str) -> Option<(&'static str, StoreName)> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return None;
    }
    let (service, region, account, rest) = (parts[2], parts[3], parts[4], parts[5]);
    let concrete = |s: &str| !s.is_empty() && !s.contains(['*', '?', '$']);
    let mk = |name: &str, arn: String| StoreName {
        name: name.to_string(),
        region: region.to_string(),
        account: account.to_string(),
        id: String::new(),
        arn,
    };
    match service {
        "s3" => {
            let bucket = rest.split('/').next()?;
            concrete(bucket).then(|| ("s3", mk(bucket, format!("arn:aws:s3:::{bucket}"))))
        }
        "dynamodb" => {
            let name = rest.strip_prefix("table/")?.split('/').next()?;
            concrete(name).then(|| ("dynamodb", mk(name, String::new())))
        }
        "rds" => {
            let name = rest.strip_prefix("db:")?;
            concrete(name).then(|| ("rds", mk(name, arn.to_string())))
        }
        "redshift" => {
            let name = rest.strip_prefix("cluster:")?;
            concrete(name).then(|| ("redshift", mk(name, String::new())))
        }
        "secretsmanager" => {
            let name = rest.strip_prefix("secret:")?;
            // A secret's ARN ends in `-` and six random characters.
            let short = match name.rsplit_once('-') {
                Some((n, tail)) if tail.len() == 6 => n,
                _ => name,
            };
            concrete(name).then(|| ("secretsmanager", mk(short, arn.to_string())))
        }
        "es" => {
            let name = rest.strip_prefix("domain/")?.split('/').next()?;
            concrete(name).then(|| ("es", mk(name, String::new())))
        }
        _ => None,
    }
}
