package gen

import (
	"bufio"
	"encoding/json"
	"io"
	"time"
)

// WriteJSONL writes members 0..n-1 of the data set seed and their schools as an import
// file (docs/import.md): schools first, then members (without passwords: argon2 is for the
// lines that carry one), for measuring `make import`.
func WriteJSONL(w io.Writer, seed uint64, n int) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	seen := map[string]bool{}
	const per = 1000
	for k := 0; k < n; k += per {
		ms, ss := Batch(seed, k, min(per, n-k))
		for _, s := range ss {
			if seen[s.SchoolID] {
				continue
			}
			seen[s.SchoolID] = true
			// (generated names repeat within a city: the number keeps them apart, as the duplicate guard wants)
			if err := enc.Encode(map[string]any{"type": "school", "id": s.SchoolID, "name": s.Name + " " + s.SchoolID[len(s.SchoolID)-10:], "country": s.Country,
				"city": s.City, "schoolType": s.SchoolType, "pupils": s.Pupils, "registeredAt": s.RegisteredAt.Format(time.RFC3339)}); err != nil {
				return err
			}
		}
		for _, m := range ms {
			ids := make([]string, len(m.Schools))
			for i, r := range m.Schools {
				ids[i] = r.SchoolID
			}
			if err := enc.Encode(map[string]any{"type": "member", "id": m.MemberID, "username": m.Username, "email": m.Email,
				"firstName": m.FirstName, "lastName": m.LastName, "language": m.Language, "profile": m.Profile,
				"schoolIds": ids, "registeredAt": m.CreatedAt.Format(time.RFC3339)}); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}
