package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/project"
)

// projectItem is the stored project.
type projectItem struct {
	project.Project
}

// partnerItem is a partner of a project; GSI1 lists a member's projects.
type partnerItem struct {
	project.Partner
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
}

func (s *Store) projectPut(p project.Project) (map[string]types.AttributeValue, error) {
	return item(projectPK(p.ProjectID), skProject, "project", projectItem{Project: p})
}

// partnerPut is the item of one partner of p.
func (s *Store) partnerPut(p project.Project, pt project.Partner) (map[string]types.AttributeValue, error) {
	pt.ProjectID = p.ProjectID
	return item(projectPK(p.ProjectID), projectMemberSK(pt.MemberID), "partner", partnerItem{Partner: pt,
		GSI1PK: memberProjectsGSI1PK(pt.MemberID), GSI1SK: memberProjectsGSI1SK(p.CreatedAt.UTC().Format(time.RFC3339Nano), p.ProjectID)})
}

// PutProjectTree writes a project and its partners as they are given, replacing what is
// stored under the same keys (fixtures and the import; the API's use cases write through
// their own conditional transitions). At most 99 partners (one transaction).
func (s *Store) PutProjectTree(ctx context.Context, p project.Project, partners []project.Partner) error {
	pi, err := s.projectPut(p)
	if err != nil {
		return err
	}
	items := []txItem{s.put(pi)}
	for _, pt := range partners {
		it, err := s.partnerPut(p, pt)
		if err != nil {
			return err
		}
		items = append(items, s.put(it))
	}
	return s.transact(ctx, items)
}
