// Package exchange owns the verified exchange of records between member
// agencies (docs/exchange.md): the grants an agency gives (default deny),
// the serving handler mounted on the node's mutual-TLS peer API, the
// fetching client that checks every record against its own replica of
// the chain, the disclosure and receipt entries anchored for each answer,
// and the FHIR rendering of fetched records. It may import anchor and
// schemas, never connectors.
package exchange
