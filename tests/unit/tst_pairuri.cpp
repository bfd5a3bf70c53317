#include "pairuri.h"

#include <QTest>

using mobility::PairUri;

class TestPairUri : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void writesTheProtocolExample()
    {
        const PairUri uri{QStringLiteral("lobby@example.org/display"), QStringLiteral("TOKEN"), QStringLiteral("Hotel Lobby")};
        QCOMPARE(uri.toString(), QStringLiteral("xmpp:lobby@example.org/display?kiosk;pair=TOKEN;name=Hotel%20Lobby"));
    }

    void roundTrips_data()
    {
        QTest::addColumn<QString>("jid");
        QTest::addColumn<QString>("name");
        QTest::newRow("plain") << QStringLiteral("lobby@localhost/display") << QStringLiteral("Lobby");
        QTest::newRow("no name") << QStringLiteral("tv@example.org/living room") << QString();
        QTest::newRow("unicode") << QStringLiteral("caf\u00e9@example.org/d") << QStringLiteral("Caf\u00e9 \u2013 Stra\u00dfe; 3");
        QTest::newRow("reserved") << QStringLiteral("a@b/c?d#e") << QStringLiteral("x=y;z&w?#");
    }
    void roundTrips()
    {
        QFETCH(QString, jid);
        QFETCH(QString, name);
        const PairUri uri{jid, QStringLiteral("ABCDEFGHIJKLMNOPQRST"), name};
        const auto parsed = PairUri::parse(uri.toString());
        QVERIFY2(parsed, qPrintable(uri.toString()));
        QCOMPARE(*parsed, uri);
    }

    void rejectsOtherUris_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("https") << QStringLiteral("https://example.org/?kiosk;pair=X");
        QTest::newRow("other action") << QStringLiteral("xmpp:a@b/c?message;body=hi");
        QTest::newRow("no token") << QStringLiteral("xmpp:a@b/c?kiosk;name=x");
        QTest::newRow("empty token") << QStringLiteral("xmpp:a@b/c?kiosk;pair=");
        QTest::newRow("no query") << QStringLiteral("xmpp:a@b/c");
        QTest::newRow("authority") << QStringLiteral("xmpp://me@x/a@b/c?kiosk;pair=X");
        QTest::newRow("no local part") << QStringLiteral("xmpp:b/c?kiosk;pair=X");
        QTest::newRow("bare key") << QStringLiteral("xmpp:a@b/c?kiosk;pair");
        QTest::newRow("huge") << QStringLiteral("xmpp:a@b/c?kiosk;pair=") + QString(5000, u'A');
    }
    void rejectsOtherUris()
    {
        QFETCH(QString, text);
        QVERIFY(!PairUri::parse(text));
    }
};

QTEST_GUILESS_MAIN(TestPairUri)
#include "tst_pairuri.moc"
