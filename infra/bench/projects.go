package bench

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"etwin/shared/member"
	"etwin/shared/principal"
	"etwin/shared/project"
)

// projectForm is the founding form with cofounderID as the co-founder.
func projectForm(cofounderID string) map[string]any {
	return map[string]any{"title": "Rivers of Europe", "summary": "Pupils compare the rivers of their towns.",
		"language": "en", "ageRange": map[string]int{"min": 10, "max": 12}, "pupils": 24,
		"themes": []string{"environment"}, "tools": []string{"twinspace_pages"}, "objectives": "Know the rivers.",
		"methodology": "Measurements, exchanges, a shared map.", "expectedResults": "A shared atlas.", "cofounderId": cofounderID}
}

// cofounderFor is a general member in another country than m's school, made m's contact.
func (ds *dataset) cofounderFor(ctx context.Context, m *seedMember, i int) (*seedMember, error) {
	for k := range ds.general {
		c := ds.general[(i+k)%len(ds.general)]
		if c.School.Country != m.School.Country {
			return c, ds.befriend(ctx, m, c)
		}
	}
	return nil, errors.New("no member in another country")
}

// pendingProjects founds one project per founder (each with a co-founder abroad) through
// the use case and, with toNSO, has the co-founder approve it. It returns the projects and
// their co-founders.
func (ds *dataset) pendingProjects(ctx context.Context, founders []*seedMember, toNSO bool) ([]project.Project, []*seedMember, error) {
	svc := &project.Service{Store: ds.store}
	ps := make([]project.Project, len(founders))
	cos := make([]*seedMember, len(founders))
	err := parallel(ctx, len(founders), ds.workers, func(i int) error {
		f := founders[i]
		co, err := ds.cofounderFor(ctx, f, i)
		if err != nil {
			return err
		}
		pupils := 24
		ps[i], err = svc.Create(ctx, principal.Principal{MemberID: f.ID, Role: member.RoleTeacher}, project.CreateInput{
			Title: "Rivers of Europe", Summary: "Pupils compare the rivers of their towns.", Language: "en",
			AgeRange: &project.AgeRange{Min: 10, Max: 12}, Pupils: &pupils, Themes: []string{"environment"},
			Tools: []string{"twinspace_pages"}, Objectives: "Know the rivers.", Methodology: "Measurements and exchanges.",
			ExpectedResults: "A shared atlas.", CofounderID: co.ID})
		if err != nil {
			return err
		}
		cos[i] = co
		if toNSO {
			ps[i], err = svc.CofounderDecision(ctx, principal.Principal{MemberID: co.ID, Role: member.RoleTeacher}, ps[i].ProjectID,
				project.CofounderDecisionInput{Decision: "approve"})
		}
		return err
	})
	return ps, cos, err
}

// projectScenarios measure each transition of a project: founding, the co-founder's
// approval, an NSO's approval that leaves another NSO to decide, and the last one (the
// project is approved: status, counters, notifications in one transaction).
func projectScenarios() []*scenario {
	one := func(n int) int { return n }
	nsoDecision := func(last bool) func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
		return func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
			ps, _, err := ds.pendingProjects(ctx, own[:n], true)
			if err != nil {
				return nil, err
			}
			reqs := make([]request, n)
			for i, p := range ps {
				countries := p.NSOCountries
				if last { // the other countries approve first
					for _, c := range countries[1:] {
						tok, err := ds.staffSession(ctx, member.RoleNSO, c)
						if err != nil {
							return nil, err
						}
						svc := &project.Service{Store: ds.store}
						who, comment := principal.Principal{MemberID: tok[:strings.LastIndexByte(tok, '.')], Role: member.RoleNSO, Country: c}, ""
						if _, err := svc.NSODecision(ctx, who, p.ProjectID, project.NSODecisionInput{Decision: "approve", Comment: &comment}); err != nil {
							return nil, err
						}
					}
				}
				tok, err := ds.staffSession(ctx, member.RoleNSO, countries[0])
				if err != nil {
					return nil, err
				}
				reqs[i] = request{Want: http.StatusOK, Token: tok, Params: map[string]string{"projectId": p.ProjectID},
					Body: map[string]any{"decision": "approve", "comment": ""}}
			}
			return reqs, nil
		}
	}
	return []*scenario{
		{Function: "project-create", Gateway: true, dedicated: one,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				reqs := make([]request, n)
				err := parallel(ctx, n, ds.workers, func(i int) error {
					co, err := ds.cofounderFor(ctx, own[i], i)
					if err != nil {
						return err
					}
					tok, err := ds.session(ctx, own[i])
					reqs[i] = request{Want: http.StatusCreated, Token: tok, Body: projectForm(co.ID)}
					return err
				})
				return reqs, err
			}},
		{Function: "project-cofounder-decision", Variant: "approve", Gateway: true, dedicated: one,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				ps, cos, err := ds.pendingProjects(ctx, own[:n], false)
				if err != nil {
					return nil, err
				}
				reqs := make([]request, n)
				for i, p := range ps {
					tok, err := ds.session(ctx, cos[i])
					if err != nil {
						return nil, err
					}
					reqs[i] = request{Want: http.StatusOK, Token: tok, Params: map[string]string{"projectId": p.ProjectID},
						Body: map[string]any{"decision": "approve"}}
				}
				return reqs, nil
			}},
		{Function: "project-nso-decision", Variant: "approve, another NSO still to decide", dedicated: one, prepare: nsoDecision(false)},
		{Function: "project-nso-decision", Variant: "last approval: approved", Gateway: true, dedicated: one, prepare: nsoDecision(true)},
	}
}
