# ruff: noqa: RUF001 - Arabic, Cyrillic and Turkish letters are the point of this file
"""What the demo's services say to a visitor, in the six languages: the name, who it
is for and what happens, and what to bring. Short sentences for people with little
German; the German name of a document stays in brackets, since that is the word on
the form and at the desk. Data, not catalog text: the catalogue stores it per service.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    name: str
    description: str
    bring: tuple[str, ...]


Texts = dict[str, Text]  # language code -> text

SKILLED_WORKER_ADVICE: Texts = {
    "de": Text(
        "Beratung für internationale Fachkräfte",
        "Für Fachkräfte aus dem Ausland, die im Rheinischen Revier arbeiten oder arbeiten "
        "möchten. Wir beantworten Ihre Fragen zu Visum, Anerkennung, Arbeit und Aufenthalt. "
        "Die Beratung ist kostenlos.",
        (
            "Reisepass",
            "Visum oder Aufenthaltstitel, wenn Sie einen haben",
            "Lebenslauf",
            "Zeugnisse und Berufsabschlüsse",
            "Arbeitsvertrag oder Jobangebot, wenn Sie eines haben",
            "Briefe von Behörden, zu denen Sie Fragen haben",
        ),
    ),
    "en": Text(
        "Advice for international skilled workers",
        "For skilled workers from abroad who work, or want to work, in the Rhineland "
        "region. We answer your questions about visas, recognition, work and residence. "
        "The advice is free.",
        (
            "Passport",
            "Visa or residence permit, if you have one",
            "CV",
            "Certificates and diplomas",
            "Employment contract or job offer, if you have one",
            "Letters from authorities you have questions about",
        ),
    ),
    "ar": Text(
        "استشارة للكفاءات المهنية الدولية",
        "للكفاءات المهنية القادمة من الخارج التي تعمل أو تريد العمل في منطقة الراين. "
        "نجيب عن أسئلتك حول التأشيرة والاعتراف بالمؤهلات والعمل والإقامة. "
        "الاستشارة مجانية.",
        (
            "جواز السفر",
            "التأشيرة أو تصريح الإقامة، إن وُجد",
            "السيرة الذاتية",
            "الشهادات والمؤهلات المهنية",
            "عقد العمل أو عرض العمل، إن وُجد",
            "رسائل من الجهات الرسمية لديك أسئلة عنها",
        ),
    ),
    "fr": Text(
        "Conseil pour les travailleurs qualifiés internationaux",
        "Pour les travailleurs qualifiés venus de l'étranger qui travaillent ou veulent "
        "travailler en Rhénanie. Nous répondons à vos questions sur le visa, la "
        "reconnaissance, le travail et le séjour. Le conseil est gratuit.",
        (
            "Passeport",
            "Visa ou titre de séjour, si vous en avez un",
            "CV",
            "Certificats et diplômes",
            "Contrat de travail ou offre d'emploi, si vous en avez un",
            "Lettres des administrations sur lesquelles vous avez des questions",
        ),
    ),
    "tr": Text(
        "Uluslararası nitelikli çalışanlar için danışmanlık",
        "Ren bölgesinde çalışan veya çalışmak isteyen yurt dışından gelen nitelikli "
        "çalışanlar için. Vize, denklik, iş ve oturum hakkındaki sorularınızı yanıtlıyoruz. "
        "Danışmanlık ücretsizdir.",
        (
            "Pasaport",
            "Varsa vize veya oturma izni",
            "Özgeçmiş",
            "Diplomalar ve meslek belgeleri",
            "Varsa iş sözleşmesi veya iş teklifi",
            "Soru sormak istediğiniz resmi yazılar",
        ),
    ),
    "uk": Text(
        "Консультація для іноземних фахівців",
        "Для фахівців з-за кордону, які працюють або хочуть працювати в Рейнському "
        "регіоні. Ми відповідаємо на ваші питання про візу, визнання кваліфікації, роботу "
        "та проживання. Консультація безкоштовна.",
        (
            "Паспорт",
            "Віза або дозвіл на проживання, якщо є",
            "Резюме",
            "Дипломи та свідоцтва про освіту",
            "Трудовий договір або пропозиція роботи, якщо є",
            "Листи від установ, щодо яких у вас є питання",
        ),
    ),
}

SME_COMPANY_ADVICE: Texts = {
    "de": Text(
        "Unternehmensberatung für KMU",
        "Für kleine und mittlere Unternehmen bis 250 Beschäftigte. Sie möchten Fachkräfte "
        "aus dem Ausland einstellen? Wir erklären die Wege: Anwerbung, Visumverfahren, "
        "beschleunigtes Fachkräfteverfahren, Anerkennung und Einarbeitung. Kostenlos.",
        (
            "Beschreibung der offenen Stelle",
            "Angaben zur Bewerberin oder zum Bewerber: Beruf, Abschluss, Herkunftsland",
            "Schreiben von Behörden, wenn Sie schon welche haben",
        ),
    ),
    "en": Text(
        "Company advice for SMEs",
        "For small and medium-sized companies with up to 250 staff. Do you want to hire "
        "skilled workers from abroad? We explain the ways: recruiting, the visa procedure, "
        "the fast-track procedure for skilled workers, recognition and onboarding. Free.",
        (
            "Description of the vacancy",
            "Details of the candidate: occupation, qualification, country",
            "Letters from authorities, if you already have some",
        ),
    ),
    "ar": Text(
        "استشارة للشركات الصغيرة والمتوسطة",
        "للشركات الصغيرة والمتوسطة التي يعمل فيها حتى 250 موظفًا. هل تريد توظيف كفاءات "
        "مهنية من الخارج؟ نشرح لك الطرق: الاستقطاب، وإجراءات التأشيرة، والإجراء المعجّل "
        "للكفاءات المهنية، والاعتراف بالمؤهلات، والتأهيل في العمل. مجانًا.",
        (
            "وصف الوظيفة الشاغرة",
            "معلومات عن المرشح: المهنة والمؤهل وبلد المنشأ",
            "رسائل من الجهات الرسمية، إن وُجدت",
        ),
    ),
    "fr": Text(
        "Conseil aux PME",
        "Pour les petites et moyennes entreprises jusqu'à 250 salariés. Vous voulez "
        "embaucher des travailleurs qualifiés de l'étranger ? Nous expliquons les étapes : "
        "recrutement, visa, procédure accélérée, reconnaissance et intégration. Gratuit.",
        (
            "Description du poste à pourvoir",
            "Informations sur la candidate ou le candidat : métier, diplôme, pays",
            "Lettres des administrations, si vous en avez déjà",
        ),
    ),
    "tr": Text(
        "KOBİ'ler için şirket danışmanlığı",
        "250 çalışana kadar küçük ve orta ölçekli şirketler için. Yurt dışından nitelikli "
        "çalışan mı almak istiyorsunuz? Yolları anlatıyoruz: işe alım, vize süreci, "
        "hızlandırılmış nitelikli çalışan süreci, denklik ve işe alıştırma. Ücretsiz.",
        (
            "Açık pozisyonun tanımı",
            "Aday hakkında bilgiler: meslek, diploma, ülke",
            "Varsa resmi kurumlardan gelen yazılar",
        ),
    ),
    "uk": Text(
        "Консультація для малих і середніх підприємств",
        "Для малих і середніх підприємств до 250 працівників. Хочете найняти фахівців "
        "з-за кордону? Ми пояснюємо кроки: пошук працівників, візова процедура, "
        "прискорена процедура для фахівців, визнання кваліфікації та адаптація. Безкоштовно.",
        (
            "Опис вакансії",
            "Дані про кандидата: професія, освіта, країна",
            "Листи від установ, якщо вони вже є",
        ),
    ),
}

RESIDENCE_PERMIT: Texts = {
    "de": Text(
        "Aufenthaltstitel",
        "Für Menschen aus Ländern außerhalb der EU, die einen Aufenthaltstitel beantragen "
        "oder verlängern. Die Ausländerbehörde prüft Ihre Unterlagen und nimmt den Antrag "
        "auf. Für die Karte werden Fingerabdrücke genommen.",
        (
            "Reisepass",
            "1 biometrisches Passfoto (35 × 45 mm)",
            "Aktueller Aufenthaltstitel oder Visum",
            "Arbeitsvertrag",
            "Meldebescheinigung",
            "Nachweis der Krankenversicherung",
            "Anerkennungsbescheid oder Zeugnisse, wenn vorhanden",
        ),
    ),
    "en": Text(
        "Residence permit",
        "For people from countries outside the EU who apply for a residence permit or "
        "extend one. The immigration office checks your documents and takes your "
        "application. Your fingerprints are taken for the card.",
        (
            "Passport",
            "1 biometric passport photo (35 × 45 mm)",
            "Current residence permit or visa",
            "Employment contract",
            "Registration certificate (Meldebescheinigung)",
            "Proof of health insurance",
            "Recognition notice or certificates, if you have them",
        ),
    ),
    "ar": Text(
        "تصريح الإقامة",
        "للأشخاص من دول خارج الاتحاد الأوروبي الذين يطلبون تصريح إقامة أو يجددونه. "
        "تفحص دائرة الأجانب مستنداتك وتستلم طلبك. تؤخذ بصمات أصابعك من أجل البطاقة.",
        (
            "جواز السفر",
            "صورة شخصية بيومترية واحدة (35 × 45 مم)",
            "تصريح الإقامة الحالي أو التأشيرة",
            "عقد العمل",
            "شهادة تسجيل السكن (Meldebescheinigung)",
            "إثبات التأمين الصحي",
            "قرار الاعتراف بالمؤهلات أو الشهادات، إن وُجدت",
        ),
    ),
    "fr": Text(
        "Titre de séjour",
        "Pour les personnes de pays hors de l'UE qui demandent ou prolongent un titre de "
        "séjour. Le service des étrangers vérifie vos documents et enregistre votre "
        "demande. On prend vos empreintes digitales pour la carte.",
        (
            "Passeport",
            "1 photo d'identité biométrique (35 × 45 mm)",
            "Titre de séjour actuel ou visa",
            "Contrat de travail",
            "Certificat de domicile (Meldebescheinigung)",
            "Attestation d'assurance maladie",
            "Décision de reconnaissance ou diplômes, si vous en avez",
        ),
    ),
    "tr": Text(
        "Oturma izni",
        "AB dışındaki ülkelerden gelen ve oturma izni başvurusu yapan veya iznini uzatan "
        "kişiler için. Yabancılar Dairesi belgelerinizi kontrol eder ve başvurunuzu alır. "
        "Kart için parmak izleriniz alınır.",
        (
            "Pasaport",
            "1 adet biyometrik vesikalık fotoğraf (35 × 45 mm)",
            "Güncel oturma izni veya vize",
            "İş sözleşmesi",
            "İkamet belgesi (Meldebescheinigung)",
            "Sağlık sigortası belgesi",
            "Varsa denklik kararı veya diplomalar",
        ),
    ),
    "uk": Text(
        "Дозвіл на проживання",
        "Для людей із країн поза ЄС, які подають заяву на дозвіл на проживання або "
        "продовжують його. Відомство у справах іноземців перевіряє документи і приймає "
        "заяву. Для картки знімають відбитки пальців.",
        (
            "Паспорт",
            "1 біометричне фото (35 × 45 мм)",
            "Чинний дозвіл на проживання або віза",
            "Трудовий договір",
            "Довідка про реєстрацію (Meldebescheinigung)",
            "Підтвердження медичного страхування",
            "Рішення про визнання кваліфікації або дипломи, якщо є",
        ),
    ),
}

INTEGRATION_COUNSELLING: Texts = {
    "de": Text(
        "Integrationsberatung",
        "Für neu Zugewanderte und ihre Familien in der StädteRegion Aachen. Wir helfen bei "
        "Sprachkursen, Kita und Schule, Wohnung und der Frage, wer wofür zuständig ist.",
        (
            "Reisepass oder Ausweis",
            "Aufenthaltstitel",
            "Briefe, zu denen Sie Fragen haben",
            "Nachweise über Deutschkurse, wenn vorhanden",
        ),
    ),
    "en": Text(
        "Integration counselling",
        "For newcomers and their families in the StädteRegion Aachen. We help with "
        "language courses, day care and school, housing, and who is responsible for what.",
        (
            "Passport or ID card",
            "Residence permit",
            "Letters you have questions about",
            "Certificates of German courses, if you have them",
        ),
    ),
    "ar": Text(
        "استشارة الاندماج",
        "للقادمين الجدد وعائلاتهم في منطقة آخن (StädteRegion Aachen). نساعدك في دورات "
        "اللغة، وروضة الأطفال والمدرسة، والسكن، ومعرفة الجهة المسؤولة عن كل أمر.",
        (
            "جواز السفر أو بطاقة الهوية",
            "تصريح الإقامة",
            "الرسائل التي لديك أسئلة عنها",
            "شهادات دورات اللغة الألمانية، إن وُجدت",
        ),
    ),
    "fr": Text(
        "Conseil en intégration",
        "Pour les nouveaux arrivants et leur famille dans la StädteRegion Aachen. Nous "
        "aidons pour les cours de langue, la crèche et l'école, le logement, et pour savoir "
        "qui s'occupe de quoi.",
        (
            "Passeport ou carte d'identité",
            "Titre de séjour",
            "Lettres sur lesquelles vous avez des questions",
            "Attestations de cours d'allemand, si vous en avez",
        ),
    ),
    "tr": Text(
        "Uyum danışmanlığı",
        "StädteRegion Aachen'a yeni gelenler ve aileleri için. Dil kursları, kreş ve okul, "
        "konut ve hangi kurumun neyden sorumlu olduğu konularında yardım ediyoruz.",
        (
            "Pasaport veya kimlik kartı",
            "Oturma izni",
            "Soru sormak istediğiniz yazılar",
            "Varsa Almanca kursu belgeleri",
        ),
    ),
    "uk": Text(
        "Консультація з інтеграції",
        "Для новоприбулих та їхніх сімей у StädteRegion Aachen. Допомагаємо з мовними "
        "курсами, дитсадком і школою, житлом і з тим, хто за що відповідає.",
        (
            "Паспорт або посвідчення особи",
            "Дозвіл на проживання",
            "Листи, щодо яких у вас є питання",
            "Свідоцтва про курси німецької, якщо є",
        ),
    ),
}

RECOGNITION_CRAFTS: Texts = {
    "de": Text(
        "Anerkennungsberatung Handwerk",
        "Für Menschen mit einem Berufsabschluss im Handwerk aus dem Ausland, zum Beispiel "
        "Elektrikerin, Friseur oder Anlagenmechaniker. Wir prüfen, welcher deutsche Beruf "
        "passt, und erklären den Antrag auf Anerkennung.",
        (
            "Reisepass",
            "Berufsabschluss mit Fächern und Noten (Original und Übersetzung)",
            "Nachweise über Berufserfahrung, zum Beispiel Arbeitszeugnisse",
            "Tabellarischer Lebenslauf",
        ),
    ),
    "en": Text(
        "Recognition advice for crafts",
        "For people with a vocational qualification in a craft from abroad, for example "
        "electrician, hairdresser or plumber. We check which German occupation matches "
        "and explain the application for recognition.",
        (
            "Passport",
            "Vocational certificate with subjects and grades (original and translation)",
            "Proof of work experience, for example references from employers",
            "CV in table form",
        ),
    ),
    "ar": Text(
        "استشارة الاعتراف بالمؤهلات الحرفية",
        "لمن لديهم شهادة مهنية في حرفة من الخارج، مثل الكهربائي أو الحلاق أو فني "
        "التمديدات الصحية. نتحقق من المهنة الألمانية المناسبة ونشرح طلب الاعتراف.",
        (
            "جواز السفر",
            "الشهادة المهنية مع المواد والدرجات (الأصل والترجمة)",
            "إثبات الخبرة المهنية، مثل شهادات العمل",
            "سيرة ذاتية على شكل جدول",
        ),
    ),
    "fr": Text(
        "Conseil en reconnaissance – artisanat",
        "Pour les personnes ayant un diplôme professionnel de l'artisanat obtenu à "
        "l'étranger, par exemple électricienne, coiffeur ou plombier. Nous vérifions quel "
        "métier allemand correspond et expliquons la demande de reconnaissance.",
        (
            "Passeport",
            "Diplôme professionnel avec matières et notes (original et traduction)",
            "Preuves d'expérience professionnelle, par exemple certificats de travail",
            "CV sous forme de tableau",
        ),
    ),
    "tr": Text(
        "Zanaat meslekleri için denklik danışmanlığı",
        "Yurt dışında zanaat alanında meslek diploması almış kişiler için, örneğin "
        "elektrikçi, kuaför veya tesisatçı. Hangi Alman mesleğinin uygun olduğunu "
        "inceliyor ve denklik başvurusunu anlatıyoruz.",
        (
            "Pasaport",
            "Dersler ve notlarla meslek diploması (aslı ve tercümesi)",
            "İş deneyimi belgeleri, örneğin işveren referansları",
            "Tablo şeklinde özgeçmiş",
        ),
    ),
    "uk": Text(
        "Консультація з визнання кваліфікації (ремесла)",
        "Для людей з іноземною професійною освітою в ремеслі, наприклад електрик, перукар "
        "або сантехнік. Ми перевіряємо, яка німецька професія підходить, і пояснюємо "
        "заяву на визнання.",
        (
            "Паспорт",
            "Диплом із предметами та оцінками (оригінал і переклад)",
            "Підтвердження досвіду роботи, наприклад характеристики від роботодавців",
            "Резюме у вигляді таблиці",
        ),
    ),
}

RECOGNITION_IHK: Texts = {
    "de": Text(
        "Anerkennungsberatung (IHK)",
        "Für Menschen mit einem Berufsabschluss aus dem Ausland in Handel, Industrie oder "
        "Technik. Die IHK-Beraterin sagt Ihnen, welche Stelle Ihren Abschluss prüft, und "
        "begleitet Ihren Antrag auf Anerkennung.",
        (
            "Reisepass",
            "Abschlusszeugnis mit Fächern und Noten (Original und Übersetzung)",
            "Nachweise über Berufserfahrung",
            "Tabellarischer Lebenslauf",
        ),
    ),
    "en": Text(
        "Recognition advice (IHK)",
        "For people with a vocational qualification from abroad in trade, industry or "
        "technology. The IHK adviser tells you which office checks your qualification and "
        "helps you with the application for recognition.",
        (
            "Passport",
            "Certificate with subjects and grades (original and translation)",
            "Proof of work experience",
            "CV in table form",
        ),
    ),
    "ar": Text(
        "استشارة الاعتراف بالمؤهلات (غرفة الصناعة والتجارة IHK)",
        "لمن لديهم شهادة مهنية من الخارج في التجارة أو الصناعة أو التقنية. يخبرك مستشار "
        "الغرفة بالجهة التي تفحص شهادتك ويرافقك في طلب الاعتراف.",
        (
            "جواز السفر",
            "شهادة التخرج مع المواد والدرجات (الأصل والترجمة)",
            "إثبات الخبرة المهنية",
            "سيرة ذاتية على شكل جدول",
        ),
    ),
    "fr": Text(
        "Conseil en reconnaissance (IHK)",
        "Pour les personnes ayant un diplôme professionnel étranger dans le commerce, "
        "l'industrie ou la technique. Le conseiller de l'IHK vous dit quel organisme "
        "examine votre diplôme et vous accompagne dans la demande de reconnaissance.",
        (
            "Passeport",
            "Diplôme avec matières et notes (original et traduction)",
            "Preuves d'expérience professionnelle",
            "CV sous forme de tableau",
        ),
    ),
    "tr": Text(
        "Denklik danışmanlığı (IHK)",
        "Ticaret, sanayi veya teknik alanda yurt dışında meslek diploması almış kişiler "
        "için. IHK danışmanı diplomanızı hangi kurumun incelediğini söyler ve denklik "
        "başvurunuzda size eşlik eder.",
        (
            "Pasaport",
            "Dersler ve notlarla diploma (aslı ve tercümesi)",
            "İş deneyimi belgeleri",
            "Tablo şeklinde özgeçmiş",
        ),
    ),
    "uk": Text(
        "Консультація з визнання кваліфікації (IHK)",
        "Для людей з іноземною професійною освітою в торгівлі, промисловості або техніці. "
        "Консультант IHK скаже, яка установа перевіряє ваш диплом, і супроводжує заяву на "
        "визнання.",
        (
            "Паспорт",
            "Диплом із предметами та оцінками (оригінал і переклад)",
            "Підтвердження досвіду роботи",
            "Резюме у вигляді таблиці",
        ),
    ),
}

RESIDENCE_REGISTRATION: Texts = {
    "de": Text(
        "Wohnsitzanmeldung",
        "Wer in Bochum in eine Wohnung zieht, muss sich innerhalb von zwei Wochen anmelden. "
        "Sie bekommen sofort die Meldebescheinigung und Ihre Steuer-ID kommt per Post.",
        (
            "Reisepass oder Personalausweis",
            "Wohnungsgeberbestätigung, unterschrieben von der Vermieterin oder dem Vermieter",
            "Für Familienmitglieder: Heirats- und Geburtsurkunden mit Übersetzung",
        ),
    ),
    "en": Text(
        "Residence registration",
        "Everyone who moves into a flat in Bochum must register within two weeks. You get "
        "the registration certificate at once; your tax ID comes by post.",
        (
            "Passport or ID card",
            "Landlord's confirmation (Wohnungsgeberbestätigung), signed by the landlord",
            "For family members: marriage and birth certificates with translation",
        ),
    ),
    "ar": Text(
        "تسجيل السكن",
        "كل من ينتقل إلى شقة في بوخوم يجب أن يسجل سكنه خلال أسبوعين. تحصل على شهادة "
        "التسجيل فورًا، ويصلك رقمك الضريبي بالبريد.",
        (
            "جواز السفر أو بطاقة الهوية",
            "تأكيد المؤجر (Wohnungsgeberbestätigung) موقّعًا منه",
            "لأفراد العائلة: عقد الزواج وشهادات الميلاد مع الترجمة",
        ),
    ),
    "fr": Text(
        "Déclaration de domicile",
        "Toute personne qui emménage dans un logement à Bochum doit se déclarer dans les "
        "deux semaines. Vous recevez tout de suite le certificat de domicile ; votre "
        "numéro fiscal arrive par la poste.",
        (
            "Passeport ou carte d'identité",
            "Attestation du bailleur (Wohnungsgeberbestätigung), signée par le bailleur",
            "Pour la famille : actes de mariage et de naissance avec traduction",
        ),
    ),
    "tr": Text(
        "İkamet kaydı (adres kaydı)",
        "Bochum'da bir daireye taşınan herkes iki hafta içinde adres kaydı yaptırmalıdır. "
        "İkamet belgesini hemen alırsınız; vergi numaranız posta ile gelir.",
        (
            "Pasaport veya kimlik kartı",
            "Ev sahibi onayı (Wohnungsgeberbestätigung), ev sahibi tarafından imzalı",
            "Aile üyeleri için: evlilik ve doğum belgeleri, tercümeli",
        ),
    ),
    "uk": Text(
        "Реєстрація місця проживання",
        "Кожен, хто переїжджає в житло в Бохумі, має зареєструватися протягом двох тижнів. "
        "Довідку про реєстрацію ви отримаєте одразу, податковий номер прийде поштою.",
        (
            "Паспорт або посвідчення особи",
            "Підтвердження орендодавця (Wohnungsgeberbestätigung) з його підписом",
            "Для членів сім'ї: свідоцтва про шлюб і народження з перекладом",
        ),
    ),
}

EMPLOYMENT_AGENCY: Texts = {
    "de": Text(
        "Beratung der Agentur für Arbeit",
        "Für Menschen, die in Bochum Arbeit suchen oder den Job wechseln möchten. Wir "
        "beraten zu Stellensuche, Zustimmung zur Beschäftigung und Deutschkursen für den "
        "Beruf.",
        (
            "Reisepass",
            "Aufenthaltstitel",
            "Lebenslauf",
            "Zeugnisse und Anerkennungsbescheid, wenn vorhanden",
            "Arbeitsvertrag oder Jobangebot, wenn vorhanden",
        ),
    ),
    "en": Text(
        "Employment agency advice",
        "For people who look for work in Bochum or want to change jobs. We advise on "
        "finding a job, the approval to work, and German courses for your job.",
        (
            "Passport",
            "Residence permit",
            "CV",
            "Certificates and recognition notice, if you have them",
            "Employment contract or job offer, if you have one",
        ),
    ),
    "ar": Text(
        "استشارة وكالة العمل",
        "لمن يبحث عن عمل في بوخوم أو يريد تغيير وظيفته. نقدم المشورة في البحث عن عمل، "
        "والموافقة على العمل، ودورات اللغة الألمانية المهنية.",
        (
            "جواز السفر",
            "تصريح الإقامة",
            "السيرة الذاتية",
            "الشهادات وقرار الاعتراف، إن وُجدت",
            "عقد العمل أو عرض العمل، إن وُجد",
        ),
    ),
    "fr": Text(
        "Conseil de l'agence pour l'emploi",
        "Pour les personnes qui cherchent un travail à Bochum ou veulent changer d'emploi. "
        "Nous conseillons sur la recherche d'emploi, l'autorisation de travail et les cours "
        "d'allemand professionnel.",
        (
            "Passeport",
            "Titre de séjour",
            "CV",
            "Diplômes et décision de reconnaissance, si vous en avez",
            "Contrat de travail ou offre d'emploi, si vous en avez un",
        ),
    ),
    "tr": Text(
        "İş Ajansı danışmanlığı",
        "Bochum'da iş arayan veya iş değiştirmek isteyen kişiler için. İş arama, çalışma "
        "izni onayı ve mesleki Almanca kursları hakkında danışmanlık veriyoruz.",
        (
            "Pasaport",
            "Oturma izni",
            "Özgeçmiş",
            "Varsa diplomalar ve denklik kararı",
            "Varsa iş sözleşmesi veya iş teklifi",
        ),
    ),
    "uk": Text(
        "Консультація агентства з праці",
        "Для тих, хто шукає роботу в Бохумі або хоче змінити роботу. Консультуємо щодо "
        "пошуку роботи, дозволу на працевлаштування та курсів німецької для професії.",
        (
            "Паспорт",
            "Дозвіл на проживання",
            "Резюме",
            "Дипломи та рішення про визнання, якщо є",
            "Трудовий договір або пропозиція роботи, якщо є",
        ),
    ),
}

COMPANY_ADVICE_HANNOVER: Texts = {
    "de": Text(
        "Beratung für Unternehmen",
        "Für Unternehmen in der Region Hannover, die internationale Fach- und "
        "Nachwuchskräfte gewinnen und einarbeiten möchten. Wir beraten zu Rekrutierung, "
        "Verfahren und Integration im Betrieb.",
        (
            "Beschreibung der offenen Stellen",
            "Angaben zu Bewerberinnen und Bewerbern, wenn vorhanden",
            "Ihre Fragen und Schreiben von Behörden",
        ),
    ),
    "en": Text(
        "Advice for companies",
        "For companies in the Hannover region that want to hire and train international "
        "skilled workers and trainees. We advise on recruiting, procedures and integration "
        "at work.",
        (
            "Description of the vacancies",
            "Details of candidates, if you have them",
            "Your questions and letters from authorities",
        ),
    ),
    "ar": Text(
        "استشارة للشركات",
        "للشركات في منطقة هانوفر التي تريد استقطاب كفاءات ومتدربين من الخارج وتأهيلهم. "
        "نقدم المشورة في التوظيف والإجراءات والاندماج في مكان العمل.",
        (
            "وصف الوظائف الشاغرة",
            "معلومات عن المرشحين، إن وُجدت",
            "أسئلتك ورسائل الجهات الرسمية",
        ),
    ),
    "fr": Text(
        "Conseil aux entreprises",
        "Pour les entreprises de la région de Hanovre qui veulent recruter et former des "
        "travailleurs qualifiés et des apprentis internationaux. Nous conseillons sur le "
        "recrutement, les procédures et l'intégration dans l'entreprise.",
        (
            "Description des postes à pourvoir",
            "Informations sur les candidats, si vous en avez",
            "Vos questions et les lettres des administrations",
        ),
    ),
    "tr": Text(
        "Şirketler için danışmanlık",
        "Hannover bölgesinde uluslararası nitelikli çalışan ve stajyer almak ve yetiştirmek "
        "isteyen şirketler için. İşe alım, süreçler ve işyerinde uyum konusunda danışmanlık "
        "veriyoruz.",
        (
            "Açık pozisyonların tanımı",
            "Varsa adaylar hakkında bilgiler",
            "Sorularınız ve resmi kurumlardan gelen yazılar",
        ),
    ),
    "uk": Text(
        "Консультація для компаній",
        "Для компаній регіону Ганновер, які хочуть залучити й адаптувати іноземних фахівців "
        "та учнів. Консультуємо щодо пошуку працівників, процедур та інтеграції на роботі.",
        (
            "Опис вакансій",
            "Дані про кандидатів, якщо є",
            "Ваші питання та листи від установ",
        ),
    ),
}

THAMM_PLUS: Texts = {
    "de": Text(
        "Vermittlung THAMM Plus (Tunesien, Marokko, Ägypten)",
        "Für Unternehmen, die Fachkräfte oder Auszubildende aus Tunesien, Marokko oder "
        "Ägypten einstellen möchten. Das GIZ-Programm THAMM Plus hilft dabei. Wir erklären "
        "die Schritte und schlagen passende Profile vor.",
        (
            "Stellenbeschreibung mit Anforderungen",
            "Angaben zu Ausbildungsplätzen, wenn Sie ausbilden",
            "Zeitplan: Wann soll die Person anfangen?",
        ),
    ),
    "en": Text(
        "THAMM Plus placement (Tunisia, Morocco, Egypt)",
        "For companies that want to hire skilled workers or trainees from Tunisia, Morocco "
        "or Egypt. The GIZ programme THAMM Plus helps with this. We explain the steps and "
        "suggest matching profiles.",
        (
            "Job description with requirements",
            "Details of training places, if you train apprentices",
            "Timing: when should the person start?",
        ),
    ),
    "ar": Text(
        "التوظيف عبر برنامج THAMM Plus (تونس، المغرب، مصر)",
        "للشركات التي تريد توظيف كفاءات أو متدربين من تونس أو المغرب أو مصر. يساعد في ذلك "
        "برنامج THAMM Plus التابع لـ GIZ. نشرح الخطوات ونقترح ملفات مناسبة.",
        (
            "وصف الوظيفة مع المتطلبات",
            "معلومات عن أماكن التدريب المهني، إن كنت تدرّب",
            "الموعد: متى يبدأ الشخص العمل؟",
        ),
    ),
    "fr": Text(
        "Placement THAMM Plus (Tunisie, Maroc, Égypte)",
        "Pour les entreprises qui veulent embaucher des travailleurs qualifiés ou des "
        "apprentis de Tunisie, du Maroc ou d'Égypte. Le programme THAMM Plus de la GIZ aide "
        "pour cela. Nous expliquons les étapes et proposons des profils adaptés.",
        (
            "Description du poste avec les exigences",
            "Informations sur les places d'apprentissage, si vous formez",
            "Calendrier : quand la personne doit-elle commencer ?",
        ),
    ),
    "tr": Text(
        "THAMM Plus yerleştirme (Tunus, Fas, Mısır)",
        "Tunus, Fas veya Mısır'dan nitelikli çalışan ya da stajyer almak isteyen şirketler "
        "için. GIZ'in THAMM Plus programı bu konuda yardım eder. Adımları anlatıyor ve uygun "
        "profiller öneriyoruz.",
        (
            "Gereksinimlerle birlikte iş tanımı",
            "Eğitim veriyorsanız çıraklık yerleri hakkında bilgiler",
            "Zamanlama: Kişi ne zaman başlamalı?",
        ),
    ),
    "uk": Text(
        "Працевлаштування THAMM Plus (Туніс, Марокко, Єгипет)",
        "Для компаній, які хочуть найняти фахівців або учнів із Тунісу, Марокко чи Єгипту. "
        "У цьому допомагає програма GIZ THAMM Plus. Ми пояснюємо кроки і пропонуємо "
        "відповідні профілі.",
        (
            "Опис посади з вимогами",
            "Дані про місця для навчання, якщо ви навчаєте",
            "Терміни: коли людина має почати?",
        ),
    ),
}

WELCOME_INFO_SESSION: Texts = {
    "de": Text(
        "Infoveranstaltung: Ankommen im Revier",
        "Eine Gruppe, 90 Minuten: die ersten Schritte nach der Ankunft. Anmeldung der "
        "Wohnung, Aufenthalt, Krankenversicherung, Bankkonto, Steuer-ID und Deutschkurse. "
        "Fragen sind willkommen.",
        (
            "Nichts ist Pflicht",
            "Ihre Fragen, gern aufgeschrieben",
            "Reisepass, wenn Sie danach einzeln beraten werden möchten",
        ),
    ),
    "en": Text(
        "Info session: settling in the Rhineland",
        "One group, 90 minutes: the first steps after you arrive. Registering your flat, "
        "residence, health insurance, bank account, tax ID and German courses. Questions "
        "are welcome.",
        (
            "Nothing is required",
            "Your questions, written down if you like",
            "Passport, if you want individual advice afterwards",
        ),
    ),
    "ar": Text(
        "جلسة معلومات: الاستقرار في منطقة الراين",
        "مجموعة واحدة، 90 دقيقة: الخطوات الأولى بعد الوصول. تسجيل السكن، والإقامة، "
        "والتأمين الصحي، والحساب البنكي، والرقم الضريبي، ودورات اللغة الألمانية. "
        "أسئلتكم مرحّب بها.",
        (
            "لا شيء إلزامي",
            "أسئلتك، مكتوبة إن أردت",
            "جواز السفر، إن أردت استشارة فردية بعد الجلسة",
        ),
    ),
    "fr": Text(
        "Séance d'information : s'installer en Rhénanie",
        "Un groupe, 90 minutes : les premières étapes après l'arrivée. Déclaration du "
        "logement, séjour, assurance maladie, compte bancaire, numéro fiscal et cours "
        "d'allemand. Vos questions sont les bienvenues.",
        (
            "Rien n'est obligatoire",
            "Vos questions, écrites si vous voulez",
            "Passeport, si vous voulez un conseil individuel ensuite",
        ),
    ),
    "tr": Text(
        "Bilgilendirme toplantısı: Ren bölgesine yerleşmek",
        "Bir grup, 90 dakika: geldikten sonraki ilk adımlar. Adres kaydı, oturum, sağlık "
        "sigortası, banka hesabı, vergi numarası ve Almanca kursları. Sorularınızı bekliyoruz.",
        (
            "Hiçbir şey zorunlu değil",
            "Sorularınız, isterseniz yazılı olarak",
            "Sonrasında bireysel danışmanlık isterseniz pasaport",
        ),
    ),
    "uk": Text(
        "Інформаційна зустріч: облаштування в Рейнському регіоні",
        "Одна група, 90 хвилин: перші кроки після приїзду. Реєстрація житла, проживання, "
        "медичне страхування, банківський рахунок, податковий номер і курси німецької. "
        "Запитання вітаються.",
        (
            "Нічого не обов'язково",
            "Ваші запитання, можна записані",
            "Паспорт, якщо після зустрічі хочете індивідуальну консультацію",
        ),
    ),
}

SERVICE_TEXTS: dict[str, Texts] = {
    "skilled-worker-advice": SKILLED_WORKER_ADVICE,
    "sme-company-advice": SME_COMPANY_ADVICE,
    "residence-permit-aachen": RESIDENCE_PERMIT,
    "integration-counselling": INTEGRATION_COUNSELLING,
    "recognition-crafts-aachen": RECOGNITION_CRAFTS,
    "recognition-advice-ihk-mn": RECOGNITION_IHK,
    "residence-registration": RESIDENCE_REGISTRATION,
    "residence-permit": RESIDENCE_PERMIT,
    "recognition-advice": RECOGNITION_IHK,
    "employment-agency": EMPLOYMENT_AGENCY,
    "recognition-crafts": RECOGNITION_CRAFTS,
    "company-advice-hannover": COMPANY_ADVICE_HANNOVER,
    "thamm-plus-placement": THAMM_PLUS,
    "welcome-info-session": WELCOME_INFO_SESSION,
}

PACKAGE_NAMES: dict[str, dict[str, str]] = {
    "bochum-one-stop": {
        "de": "One-Stop-Termin (mittwochs)",
        "en": "One-stop visit (Wednesdays)",
        "ar": "زيارة شاملة في موعد واحد (أيام الأربعاء)",
        "fr": "Rendez-vous guichet unique (le mercredi)",
        "tr": "Tek durak randevusu (çarşambaları)",
        "uk": "Усе за один візит (щосереди)",
    },
    "aachen-arrival": {
        "de": "Ankommen in Aachen",
        "en": "Arriving in Aachen",
        "ar": "الوصول إلى آخن",
        "fr": "Arriver à Aix-la-Chapelle",
        "tr": "Aachen'a varış",
        "uk": "Приїзд до Аахена",
    },
}


def columns(slug: str) -> tuple[dict[str, str], dict[str, str], dict[str, list[str]]]:
    """names, descriptions and what to bring of a service, each keyed by language."""
    texts = SERVICE_TEXTS[slug]
    return (
        {code: t.name for code, t in texts.items()},
        {code: t.description for code, t in texts.items()},
        {code: list(t.bring) for code, t in texts.items()},
    )
