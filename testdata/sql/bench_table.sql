-- The PostgreSQL benchmark table: :rows patient rows in table :"tbl".
-- Used by bench/sql.sh (psql variables) and by BenchmarkExtractPostgres.
CREATE TABLE :"tbl" AS
SELECT g AS id, 'MRN' || lpad(g::text, 8, '0') AS mrn,
       (ARRAY['Martin','Lefèvre','Müller','Dubois'])[1 + g % 4] AS nom,
       (ARRAY['Élodie','Zoé','Loïc','Jérôme','Hélène'])[1 + g % 5] AS prenom,
       DATE '1930-01-01' + (g % 30000) AS dob, (ARRAY['F','M'])[1 + g % 2] AS sexe,
       'Besançon' AS ville, lpad((g % 95000)::text, 5, '0') AS cp,
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + (g / 10) * INTERVAL '1 second' AS updated_at
FROM generate_series(1, :rows) AS g;
ALTER TABLE :"tbl" ADD PRIMARY KEY (id);
CREATE INDEX ON :"tbl" (updated_at, id);
ANALYZE :"tbl";
