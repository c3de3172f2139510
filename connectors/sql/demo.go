package sql

import "github.com/healthanchor/healthanchor/connectors"

// DemoPatientOptions are the options of the demo job that reads the
// patients of the legacy SQLite database at dbPath (made by LoadScript
// from testdata/demo/sql/legacy.sql).
func DemoPatientOptions(dbPath string) connectors.Options {
	return connectors.Options{
		"driver": SQLite, "dsn": dbPath, "table": "patients", "schema": "patient/1",
		"watermark": "maj", "key": "id", "lookback": "2h", "source": "legacy-his",
		"mapping": map[string]any{
			"patient_id": "mrn", "family_name": "nom", "given_name": "prenom", "birth_date": "date_naissance",
			"sex": "sexe", "address": "adresse", "city": "ville", "postal_code": "code_postal",
			"country": "pays", "phone": "telephone", "death_date": "date_deces", "updated_at": "maj",
		},
	}
}

// DemoEncounterOptions are the options of the demo job that reads the
// encounters of the same database.
func DemoEncounterOptions(dbPath string) connectors.Options {
	return connectors.Options{
		"driver": SQLite, "dsn": dbPath, "table": "encounters", "schema": "encounter/1",
		"watermark": "maj", "key": "id", "lookback": "2h", "source": "legacy-his",
		"mapping": map[string]any{
			"encounter_id": "numero", "patient_id": "patient_mrn", "class": "type", "location": "service",
			"attending": "medecin", "admit_time": "entree", "discharge_time": "sortie", "event_type": "evenement",
		},
	}
}
