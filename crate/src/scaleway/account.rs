//! Account `v3`: the Organization's Projects, to choose an API key's preferred Project for
//! Object Storage (https://www.scaleway.com/en/developers/api/account/project-api/).

use super::auth::ApiBase;
use super::decode::{decode, read_all, Fields};
use super::error::ScalewayError;
use super::request::{check_uuid, get, Page, Query};
use crate::response::HttpResponse;

const PROJECTS: &str = "/account/v3/projects";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub organization_id: String,
    pub description: String,
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectPage {
    pub projects: Vec<Project>,
    pub total_count: u64,
}

/// Filters of `GET /account/v3/projects`; the Account API requires the Organization.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub organization_id: String,
    pub name: Option<String>,
    pub page: Page,
}

pub fn prepare_list_projects(
    base: &ApiBase,
    filter: &ProjectFilter,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    check_uuid("organization_id", &filter.organization_id)?;
    let mut query = Query::new();
    query
        .pair("organization_id", &filter.organization_id)
        .opt("name", filter.name.as_deref());
    filter.page.append(&mut query)?;
    get(base, &query.finish(PROJECTS))
}

pub fn parse_list_projects(response: &HttpResponse) -> Result<ProjectPage, ScalewayError> {
    let value = decode(response)?;
    let status = response.status;
    let page = Fields::new(&value, "project list", status)?;
    let projects = read_all(page.list("projects")?, "project", status, |f| {
        let (id, name) = (f.required("id")?, f.required("name")?);
        let organization_id = f.required("organization_id")?;
        let (description, created_at) = (f.optional("description")?, f.optional("created_at")?);
        Ok(Project {
            id: id.to_owned(),
            name: name.to_owned(),
            organization_id: organization_id.to_owned(),
            description: description.unwrap_or_default().to_owned(),
            created_at: created_at.map(str::to_owned),
        })
    })?;
    Ok(ProjectPage {
        projects,
        total_count: page.count("total_count")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

    #[test]
    fn lists_the_organizations_projects() {
        let filter = ProjectFilter {
            organization_id: ORG.into(),
            name: None,
            page: Page {
                page: Some(1),
                page_size: Some(50),
            },
        };
        let r = prepare_list_projects(&ApiBase::default_base(), &filter).unwrap();
        assert_eq!(
            r.uri(),
            &*format!("https://api.scaleway.com/account/v3/projects?organization_id={ORG}&page=1&page_size=50")
        );
        let body = format!(
            r#"{{"total_count":2,"projects":[{{"id":"11111111-2222-4333-8444-555555555555","name":"default","organization_id":"{ORG}","created_at":"2022-03-22T12:34:56.123456Z","updated_at":null,"description":"","qualification":null}},{{"id":"21111111-2222-4333-8444-555555555555","name":"prod","organization_id":"{ORG}","description":"production"}}]}}"#
        );
        let page = parse_list_projects(&HttpResponse::new(200, body.as_bytes())).unwrap();
        assert_eq!(page.total_count, 2);
        assert_eq!(page.projects[0].name, "default");
        assert_eq!(page.projects[1].description, "production");
        assert!(
            prepare_list_projects(&ApiBase::default_base(), &ProjectFilter::default()).is_err()
        );
        let err = parse_list_projects(&HttpResponse::new(
            403,
            br#"{"details":[{"action":"read","resource":"project"}],"message":"insufficient permissions","type":"permissions_denied"}"#,
        ))
        .unwrap_err();
        assert!(err.to_string().contains("ProjectManager"), "{err}");
    }
}
