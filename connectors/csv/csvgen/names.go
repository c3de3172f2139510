package csvgen

// country is the data a generated patient draws from one country.
type country struct {
	code     string
	phone    string // international prefix
	family   []string
	given    []string
	streets  []string // an address is "<number> <street>" or "<street> <number>"
	numFirst bool
	cities   []string
	postal   func(b []byte, n uint64) []byte
}

// digits appends n in base 10 with exactly width digits (zero-padded,
// higher digits dropped).
func digits(b []byte, n uint64, width int) []byte {
	for i := 0; i < width; i++ {
		b = append(b, '0')
	}
	for i := len(b) - 1; i >= len(b)-width; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}

var countries = []country{
	{code: "FR", phone: "+33", numFirst: true,
		family:  []string{"Martin", "Bernard", "Dubois", "Lefèvre", "Mercier", "Girard", "Rousseau", "Faure", "Chevalier", "Lemaître", "Bélanger", "Hébert"},
		given:   []string{"Anaïs", "Hélène", "François", "Jérôme", "Léa", "Noël", "Zoé", "Cécile", "Gaëlle", "Maël", "Inès", "Loïc"},
		streets: []string{"rue de l'Église", "avenue Jean-Jaurès", "boulevard Saint-Michel", "place du Marché", "chemin des Écoliers", "rue du Château"},
		cities:  []string{"Besançon", "Orléans", "Nîmes", "Angoulême", "Saint-Étienne", "Paris", "Lyon"},
		postal:  func(b []byte, n uint64) []byte { return digits(b, n%95000+1000, 5) }},
	{code: "DE", phone: "+49",
		family:  []string{"Müller", "Schäfer", "Weiß", "Groß", "Köhler", "Schröder", "Krüger", "Böhm", "Fuchs", "Jäger"},
		given:   []string{"Jürgen", "Günther", "Käthe", "Jörg", "Sören", "Bärbel", "Lena", "Jonas", "Mia", "Lukas"},
		streets: []string{"Hauptstraße", "Bahnhofstraße", "Schloßallee", "Gartenweg", "Mühlenstraße", "Am Königsplatz"},
		cities:  []string{"München", "Köln", "Düsseldorf", "Nürnberg", "Lübeck", "Würzburg"},
		postal:  func(b []byte, n uint64) []byte { return digits(b, n%89000+10000, 5) }},
	{code: "ES", phone: "+34", numFirst: false,
		family:  []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Núñez"},
		given:   []string{"José", "María", "Ángel", "Lucía", "Martín", "Sofía", "Íñigo", "Begoña", "Raúl", "Inés"},
		streets: []string{"Calle Mayor", "Avenida de la Constitución", "Plaza de España", "Calle Real", "Paseo del Prado"},
		cities:  []string{"Logroño", "Cádiz", "Málaga", "León", "Córdoba", "Ávila"},
		postal:  func(b []byte, n uint64) []byte { return digits(b, n%51000+1000, 5) }},
	{code: "PT", phone: "+351", numFirst: false,
		family:  []string{"Gonçalves", "Simões", "Magalhães", "Conceição", "Araújo", "Patrício", "Leitão"},
		given:   []string{"João", "Conceição", "Sebastião", "Inês", "Tomás", "Mónica", "Gonçalo"},
		streets: []string{"Rua Augusta", "Avenida da Liberdade", "Travessa do Carmo", "Largo de São Roque"},
		cities:  []string{"Lisboa", "Évora", "Setúbal", "Guimarães", "Olhão"},
		postal: func(b []byte, n uint64) []byte {
			b = digits(b, n%9000+1000, 4)
			b = append(b, '-')
			return digits(b, n/7%1000, 3)
		}},
	{code: "PL", phone: "+48",
		family:  []string{"Kowalski", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski", "Zieliński", "Szymańska", "Dąbrowski"},
		given:   []string{"Łukasz", "Małgorzata", "Paweł", "Zofia", "Michał", "Jadwiga", "Bartłomiej", "Agnieszka"},
		streets: []string{"ul. Długa", "ul. Świętojańska", "al. Jerozolimskie", "ul. Piotrkowska", "pl. Mariacki"},
		cities:  []string{"Gdańsk", "Łódź", "Kraków", "Wrocław", "Poznań", "Białystok"},
		postal: func(b []byte, n uint64) []byte {
			b = digits(b, n%90+10, 2)
			b = append(b, '-')
			return digits(b, n/3%1000, 3)
		}},
	{code: "CZ", phone: "+420",
		family:  []string{"Dvořák", "Novák", "Svobodová", "Černý", "Procházka", "Kučerová", "Veselý"},
		given:   []string{"Jiří", "Zdeňka", "Tomáš", "Kateřina", "Lukáš", "Růžena", "Ondřej"},
		streets: []string{"Nádražní", "Husova", "Masarykova", "Žižkova", "Náměstí Míru"},
		cities:  []string{"Brno", "Plzeň", "Ústí nad Labem", "České Budějovice", "Olomouc"},
		postal: func(b []byte, n uint64) []byte {
			b = digits(b, n%700+100, 3)
			b = append(b, ' ')
			return digits(b, n/11%100, 2)
		}},
	{code: "SE", phone: "+46",
		family:  []string{"Åström", "Löfgren", "Söderberg", "Öberg", "Lindqvist", "Bergström", "Ekström"},
		given:   []string{"Björn", "Åsa", "Märta", "Göran", "Linnéa", "Örjan", "Sölve"},
		streets: []string{"Storgatan", "Drottninggatan", "Kungsgatan", "Vasavägen", "Östra Hamngatan"},
		cities:  []string{"Göteborg", "Malmö", "Västerås", "Örebro", "Linköping", "Umeå"},
		postal: func(b []byte, n uint64) []byte {
			b = digits(b, n%900+100, 3)
			b = append(b, ' ')
			return digits(b, n/13%100, 2)
		}},
	{code: "TR", phone: "+90",
		family:  []string{"Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Doğan"},
		given:   []string{"Çağrı", "Ayşe", "Gülşen", "Mehmet", "İbrahim", "Şükrü", "Özge", "Hülya"},
		streets: []string{"Atatürk Cd.", "İstiklal Cd.", "Cumhuriyet Mah.", "Bağdat Cd."},
		cities:  []string{"İstanbul", "İzmir", "Ankara", "Eskişehir", "Muğla"},
		postal:  func(b []byte, n uint64) []byte { return digits(b, n%80000+10000, 5) }},
	{code: "VN", phone: "+84",
		family:  []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Vũ"},
		given:   []string{"Thị Lan", "Văn Đức", "Minh Anh", "Thu Hằng", "Quốc Bảo", "Ngọc Ánh"},
		streets: []string{"Phố Huế", "Đường Lê Lợi", "Phố Hàng Bạc", "Đường Trần Hưng Đạo"},
		cities:  []string{"Hà Nội", "Huế", "Đà Nẵng", "Hồ Chí Minh", "Hải Phòng"},
		postal:  func(b []byte, n uint64) []byte { return digits(b, n%90000+10000, 6) }},
	{code: "IE", phone: "+353", numFirst: true,
		family:  []string{"O'Brien", "Ó Súilleabháin", "Mac Cárthaigh", "Murphy", "O'Neill", "Ní Bhriain"},
		given:   []string{"Siobhán", "Seán", "Aoife", "Pádraig", "Niamh", "Róisín"},
		streets: []string{"Mill Lane", "O'Connell Street", "Main Street", "Patrick's Hill"},
		cities:  []string{"Cork", "Dublin", "Galway", "Dún Laoghaire", "Tralee"},
		postal: func(b []byte, n uint64) []byte {
			return append(b, 'T', byte('0'+n%10), byte('0'+n/10%10), ' ', 'X', byte('0'+n/100%10), 'Y', byte('0'+n/1000%10))
		}},
}

// buildings are second address lines, some written with quotes.
var buildings = []string{
	`Bâtiment B, 2e étage, porte 14`, `Flat 3, "The Oaks", Riverside Court`, `Résidence "Les Tilleuls", appartement 12`,
	`Hinterhaus, 3. OG links`, `Escalera 2, 4º B, Urbanización "El Pinar"`, `c/o Maison de retraite Sainte-Thérèse`,
	`Quartier de la Gare, lot 7`, `Apt. 1102, Tower "Ørsted"`,
}
