#include "jid.h"

#include <QSet>
#include <QTest>

using namespace xmpp;
using namespace Qt::StringLiterals;

class TestJid : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesParts_data();
    void parsesParts();
    void rejectsInvalid_data();
    void rejectsInvalid();
    void enforcesPartLengths();
    void preparesInternationalAddresses();
    void acceptsIpLiterals();
    void bareAndResource();
    void comparesAndHashesPreparedForms();
    void buildsFromParts();
    void repeatedTextsGiveTheSameAnswers();
};

void TestJid::parsesParts_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("local");
    QTest::addColumn<QString>("domain");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<QString>("canonical");

    QTest::newRow("full") << u"user@example.com/phone"_s << u"user"_s << u"example.com"_s
                          << u"phone"_s << u"user@example.com/phone"_s;
    QTest::newRow("bare") << u"user@example.com"_s << u"user"_s << u"example.com"_s << QString()
                          << u"user@example.com"_s;
    QTest::newRow("domain only") << u"example.com"_s << QString() << u"example.com"_s << QString()
                                 << u"example.com"_s;
    QTest::newRow("domain with resource")
        << u"example.com/x"_s << QString() << u"example.com"_s << u"x"_s << u"example.com/x"_s;
    // The first '/' starts the resource; '@' and '/' after it belong to the resource.
    QTest::newRow("separators in resource")
        << u"a@b/c@d/e"_s << u"a"_s << u"b"_s << u"c@d/e"_s << u"a@b/c@d/e"_s;
    QTest::newRow("slash before at") << u"b/c@d"_s << QString() << u"b"_s << u"c@d"_s << u"b/c@d"_s;
    QTest::newRow("case folding") << u"User@EXAMPLE.Com/Res"_s << u"user"_s << u"example.com"_s
                                  << u"Res"_s << u"user@example.com/Res"_s;
    QTest::newRow("trailing dot") << u"user@example.com./r"_s << u"user"_s << u"example.com"_s
                                  << u"r"_s << u"user@example.com/r"_s;
    QTest::newRow("spaces in resource")
        << u"u@d/my phone"_s << u"u"_s << u"d"_s << u"my phone"_s << u"u@d/my phone"_s;
    QTest::newRow("underscore domain")
        << u"_svc.example.com"_s << QString() << u"_svc.example.com"_s << QString()
        << u"_svc.example.com"_s;
}

void TestJid::parsesParts()
{
    QFETCH(QString, text);
    QFETCH(QString, local);
    QFETCH(QString, domain);
    QFETCH(QString, resource);
    QFETCH(QString, canonical);

    const std::optional<Jid> jid = Jid::parse(text);
    QVERIFY(jid);
    QCOMPARE(jid->local(), local);
    QCOMPARE(jid->domain(), domain);
    QCOMPARE(jid->resource(), resource);
    QCOMPARE(jid->toString(), canonical);
    QCOMPARE(jid->isBare(), resource.isEmpty());
    QVERIFY(!jid->isNull());
    // The canonical form parses to the same address.
    QVERIFY(Jid::parse(jid->toString()) == jid);
}

void TestJid::rejectsInvalid_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("empty") << QString();
    QTest::newRow("empty local") << u"@example.com"_s;
    QTest::newRow("empty domain") << u"user@"_s;
    QTest::newRow("empty resource") << u"example.com/"_s;
    QTest::newRow("empty resource with local") << u"user@example.com/"_s;
    QTest::newRow("only at") << u"@"_s;
    QTest::newRow("only slash") << u"/"_s;
    QTest::newRow("empty domain with resource") << u"user@/res"_s;
    QTest::newRow("two ats") << u"a@b@c"_s;
    QTest::newRow("space in local") << u"a b@c"_s;
    QTest::newRow("quote in local") << u"a\"b@c"_s;
    QTest::newRow("ampersand in local") << u"a&b@c"_s;
    QTest::newRow("apostrophe in local") << u"a'b@c"_s;
    QTest::newRow("colon in local") << u"a:b@c"_s;
    QTest::newRow("less-than in local") << u"a<b@c"_s;
    QTest::newRow("greater-than in local") << u"a>b@c"_s;
    QTest::newRow("space in domain") << u"a@exa mple.com"_s;
    QTest::newRow("empty label") << u"a@example..com"_s;
    QTest::newRow("leading dot") << u"a@.example.com"_s;
    QTest::newRow("only dot") << u"."_s;
    QTest::newRow("two trailing dots") << u"example.com.."_s;
    QTest::newRow("nul in resource") << QString(u"a@b/x"_s + QChar(0) + u"y"_s);
    QTest::newRow("control in resource") << QString(u"a@b/x"_s + QChar(7));
    QTest::newRow("unclosed ip literal") << u"[::1"_s;
    QTest::newRow("bad ip literal") << u"[zz::1]"_s;
    QTest::newRow("ipv4 in brackets") << u"[127.0.0.1]"_s;
    QTest::newRow("63+ byte label") << QString(u"a@"_s + QString(64, u'x') + u".example.com"_s);
}

void TestJid::rejectsInvalid()
{
    QFETCH(QString, text);
    QVERIFY(!Jid::parse(text));
}

void TestJid::enforcesPartLengths()
{
    const QString local1023(1023, u'a');
    const QString local1024(1024, u'a');
    QVERIFY(Jid::parse(local1023 + u"@example.com"_s));
    QVERIFY(!Jid::parse(local1024 + u"@example.com"_s));

    // Bytes, not characters: 341 three-byte characters are 1023 bytes, 342 are 1026.
    const QString wide341(341, QChar(0x4E2D));
    const QString wide342(342, QChar(0x4E2D));
    QVERIFY(Jid::parse(u"u@d/"_s + wide341));
    QVERIFY(!Jid::parse(u"u@d/"_s + wide342));

    // A domain of 1023 bytes made of valid labels; two more bytes make a valid label
    // but too long a domain.
    QString domain;
    for (int label = 0; label < 16; ++label)
        domain += QString(61, u'b') + u'.';
    domain += QString(31, u'c');
    QCOMPARE(domain.size(), 1023);
    QVERIFY(Jid::parse(domain));
    QVERIFY(!Jid::parse(domain + u".d"_s));

    // The limit applies to the prepared form: U+FDFA (3 bytes) expands under NFKC to
    // 33 bytes, so 31 of them make 1023 bytes and 32 make 1056.
    QVERIFY(Jid::parse(u"u@d/"_s + QString(31, QChar(0xFDFA))));
    QVERIFY(!Jid::parse(u"u@d/"_s + QString(32, QChar(0xFDFA))));
}

void TestJid::preparesInternationalAddresses()
{
    // nodeprep folds case, nameprep too; resourceprep keeps case.
    std::optional<Jid> jid =
        Jid::parse(u"\u03A9Mega@\u4F8B\u5B50.\u6D4B\u8BD5/\u00C9cran \U0001F4F1"_s);
    QVERIFY(jid);
    QCOMPARE(jid->local(), u"\u03C9mega"_s);
    QCOMPARE(jid->domain(), u"\u4F8B\u5B50.\u6D4B\u8BD5"_s);
    QCOMPARE(jid->resource(), u"\u00C9cran \U0001F4F1"_s);

    // Ideographic full stops separate labels.
    std::optional<Jid> ideographic = Jid::parse(u"user@\u4F8B\u5B50\u3002\u6D4B\u8BD5"_s);
    QVERIFY(ideographic);
    QCOMPARE(ideographic->domain(), u"\u4F8B\u5B50.\u6D4B\u8BD5"_s);

    // Compatibility forms normalise (NFKC): full-width letters become ASCII.
    std::optional<Jid> fullWidth = Jid::parse(u"\uFF55\uFF53\uFF45\uFF52@example.com"_s);
    QVERIFY(fullWidth);
    QCOMPARE(fullWidth->local(), u"user"_s);

    // Characters mapped to nothing vanish (soft hyphen).
    std::optional<Jid> softHyphen = Jid::parse(u"us\u00ADer@example.com"_s);
    QVERIFY(softHyphen);
    QCOMPARE(softHyphen->local(), u"user"_s);

    // Prohibited outside ASCII too: U+2028 line separator in a local part.
    QVERIFY(!Jid::parse(u"a\u2028b@example.com"_s));
    // Mixed right-to-left and left-to-right text in one part breaks the bidi rule.
    QVERIFY(!Jid::parse(u"\u05D0a\u05D1@example.com"_s));
}

void TestJid::acceptsIpLiterals()
{
    std::optional<Jid> v6 = Jid::parse(u"user@[2001:DB8::1]/r"_s);
    QVERIFY(v6);
    QCOMPARE(v6->domain(), u"[2001:db8::1]"_s);
    std::optional<Jid> v4 = Jid::parse(u"user@192.0.2.1"_s);
    QVERIFY(v4);
    QCOMPARE(v4->domain(), u"192.0.2.1"_s);
}

void TestJid::bareAndResource()
{
    const Jid full = *Jid::parse(u"kiosk@example.com/lobby"_s);
    const Jid bare = full.bare();
    QVERIFY(bare.isBare());
    QVERIFY(!full.isBare());
    QCOMPARE(bare.toString(), u"kiosk@example.com"_s);
    QVERIFY(bare != full);

    const std::optional<Jid> other = bare.withResource(u"hall"_s);
    QVERIFY(other);
    QCOMPARE(other->toString(), u"kiosk@example.com/hall"_s);
    QCOMPARE(other->bare(), bare);
    QVERIFY(!bare.withResource(QString()));
    QVERIFY(!bare.withResource(QString(QChar(7))));
    QVERIFY(!Jid().withResource(u"x"_s));

    const Jid null;
    QVERIFY(null.isNull());
    QCOMPARE(null.toString(), QString());
    QVERIFY(Jid::parse(u"example.com"_s)->isDomain());
    QVERIFY(!bare.isDomain());
}

void TestJid::comparesAndHashesPreparedForms()
{
    const Jid a = *Jid::parse(u"User@Example.COM/Res"_s);
    const Jid b = *Jid::parse(u"user@example.com./Res"_s);
    const Jid c = *Jid::parse(u"user@example.com/res"_s);
    QCOMPARE(a, b);
    QVERIFY(a != c); // resources are case-sensitive
    QCOMPARE(qHash(a), qHash(b));
    QCOMPARE(qHash(a, 42), qHash(b, 42));

    QSet<Jid> set;
    set.insert(a);
    set.insert(b);
    set.insert(c);
    QCOMPARE(set.size(), 2);
    QVERIFY(set.contains(*Jid::parse(u"USER@example.com/Res"_s)));
}

void TestJid::buildsFromParts()
{
    std::optional<Jid> jid = Jid::fromParts(u"User"_s, u"Example.com"_s, u"r"_s);
    QVERIFY(jid);
    QCOMPARE(jid->toString(), u"user@example.com/r"_s);
    QVERIFY(Jid::fromParts({}, u"example.com"_s)->isDomain());
    QVERIFY(!Jid::fromParts(u"a@b"_s, u"example.com"_s));
    QVERIFY(!Jid::fromParts(u"a"_s, QString()));
}

// Parse remembers its last results: asking again, in any order and past what it keeps,
// must give what the first parse gave, valid or not.
void TestJid::repeatedTextsGiveTheSameAnswers()
{
    QStringList texts;
    for (int i = 0; i < 20; ++i)
        texts << u"User%1@Example.ORG/pc"_s.arg(i) << u"bad%1@@example.org"_s.arg(i);
    texts << u"room@conference.example.org/\u00c9lise"_s << QString(300, u'a') + u"@example.org"_s;
    QList<std::optional<Jid>> first;
    for (const QString &text : std::as_const(texts))
        first << Jid::parse(text);
    for (int round = 0; round < 3; ++round) {
        for (qsizetype i = texts.size() - 1; i >= 0; --i) {
            const auto again = Jid::parse(texts.at(i));
            QCOMPARE(again.has_value(), first.at(i).has_value());
            if (again)
                QCOMPARE(again->toString(), first.at(i)->toString());
        }
    }
    QCOMPARE(Jid::parse(u"User3@Example.ORG/pc"_s)->local(), u"user3"_s);
    QVERIFY(!Jid::parse(u"bad3@@example.org"_s));
}

QTEST_GUILESS_MAIN(TestJid)
#include "tst_jid.moc"
