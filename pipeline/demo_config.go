package pipeline

// demoConfig is the healthanchor.yaml `demo` writes. Paths are relative
// to the folder holding it.
const demoConfig = `# healthanchor demo deployment: one agency, a single-node chain, three
# sources. Every key is documented in docs/config.md.
agency:
  id: demo-hospital
  name: Demo Regional Hospital
  key_file: keys/agency.key         # Ed25519 signing key (mode 0600)
  salt_key_file: keys/salt.key      # secret for row salts (mode 0600)
chain:
  path: chain.db                    # SQLite chain store, created from the genesis
  genesis: genesis.json
state: state.db
output_dir: batches
timezone: Europe/Paris              # zone of naive local times in the sources

jobs:
  # Nightly patient export of the hospital information system (UTF-8).
  - name: patients-csv
    connector: csv
    schedule: "CRON_TZ=Europe/Paris 30 2 * * *"
    options:
      input: inbox/csv/patients-*.csv
      source: his-export
      schema: patient/1

  # Legacy registry dump: Windows-1252, semicolons, day-first dates,
  # French column names mapped to patient/1.
  - name: registry-legacy-csv
    connector: csv
    schedule: "CRON_TZ=Europe/Paris 45 2 * * *"
    options:
      input: inbox/csv/legacy/*.csv
      source: registry-legacy
      schema: patient/1
      encoding: windows-1252
      delimiter: ";"
      date_formats: ["02/01/2006"]
      time_formats: ["02/01/2006 15:04:05"]
      mapping:
        patient_id: NUM_PATIENT
        family_name: NOM
        given_name: PRENOM
        birth_date: DATE_NAISSANCE
        sex: SEXE
        address: ADRESSE
        city: VILLE
        postal_code: CODE_POSTAL
        country: PAYS
        phone: TELEPHONE
        death_date: DATE_DECES
        updated_at: DATE_MAJ
  # HL7 v2 feed of the hospital's ADT, lab, order and vaccination systems (files of messages,
  # batch-wrapped or MLLP-captured): one batch per canonical schema.
  - name: hl7-feed
    connector: hl7
    schedule: "@every 15m"
    options:
      input: inbox/hl7/*.hl7
      fallback_charset: windows-1252

  # The legacy hospital database (SQLite here; PostgreSQL and MariaDB work
  # the same way), read incrementally by its "maj" (last change) column.
  - name: legacy-patients
    connector: sql
    schedule: "CRON_TZ=Europe/Paris 0 3 * * *"
    options:
      driver: sqlite
      dsn: sources/legacy.db
      table: patients
      schema: patient/1
      watermark: maj
      key: id
      lookback: 2h
      source: legacy-his
      mapping: {patient_id: mrn, family_name: nom, given_name: prenom, birth_date: date_naissance,
                sex: sexe, address: adresse, city: ville, postal_code: code_postal, country: pays,
                phone: telephone, death_date: date_deces, updated_at: maj}

  - name: legacy-encounters
    connector: sql
    schedule: "CRON_TZ=Europe/Paris 5 3 * * *"
    options:
      driver: sqlite
      dsn: sources/legacy.db
      table: encounters
      schema: encounter/1
      watermark: maj
      key: id
      lookback: 2h
      source: legacy-his
      mapping: {encounter_id: numero, patient_id: patient_mrn, class: type, location: service,
                attending: medecin, admit_time: entree, discharge_time: sortie, event_type: evenement}
`
