// kiosk-phone's state folders: what --send-state reads and refuses, and that
// --pull-state's folder holds all of a received state or nothing.
#include "namespaces.h"
#include "statefolder.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace phone;

namespace {

void writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(data), data.size());
}

mobility::StateBundle sampleState()
{
    mobility::StateBundle state;
    state.files.insert(QStringLiteral("history.json"), QByteArray("{\"version\": 1}"));
    state.files.insert(QStringLiteral("caf\u00e9 \u4e2d.bin"), QByteArray("\x00\x01\xff", 3));
    state.files.insert(QStringLiteral("empty.txt"), QByteArray());
    QDomDocument document;
    QDomElement message = document.createElementNS(xmpp::ns::client, QStringLiteral("message"));
    message.setAttribute(QStringLiteral("from"), QStringLiteral("bob@example.org/pc"));
    QDomElement body = document.createElementNS(xmpp::ns::client, QStringLiteral("body"));
    body.appendChild(document.createTextNode(QStringLiteral("hi")));
    message.appendChild(body);
    if (!state.log.append(message, QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC)))
        qFatal("the sample log entry was refused");
    return state;
}

} // namespace

class TestStateFolder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writtenStateReadsBackTheSame()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("back"));
        const auto state = sampleState();
        QVERIFY(writeStateFolder(path, state));
        QCOMPARE(QDir(path).entryList(QDir::Files | QDir::Hidden).size(), 4); // three files and log.xml
        const auto read = readStateFolder(path);
        QVERIFY2(read, qPrintable(read ? QString() : read.error().detail));
        QCOMPARE(read.value().files, state.files);
        QCOMPARE(read.value().log.size(), 1);
        QCOMPARE(read.value().log.entries().first().received, state.log.entries().first().received);
        // Nothing of the staging folder is left beside it.
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{QStringLiteral("back")});
    }

    void sendingRefusesWhatATransferCannotCarry()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("state"));
        QVERIFY(QDir().mkpath(folder));
        writeFile(folder + QStringLiteral("/a.txt"), "a");
        QVERIFY(readStateFolder(folder));

        QVERIFY(QDir().mkpath(folder + QStringLiteral("/sub")));
        auto refused = readStateFolder(folder);
        QVERIFY(!refused);
        QVERIFY2(refused.error().detail.contains(u"not a regular file"), qPrintable(refused.error().detail));
        QVERIFY(QDir().rmdir(folder + QStringLiteral("/sub")));

        QVERIFY(QFile::link(QStringLiteral("/etc/hostname"), folder + QStringLiteral("/link")));
        refused = readStateFolder(folder);
        QVERIFY(!refused);
        QVERIFY2(refused.error().detail.contains(u"links cannot be sent"), qPrintable(refused.error().detail));
        QVERIFY(QFile::remove(folder + QStringLiteral("/link")));

        writeFile(folder + QStringLiteral("/bad\nname"), "x");
        refused = readStateFolder(folder);
        QVERIFY(!refused);
        QVERIFY2(refused.error().detail.contains(u"cannot be sent"), qPrintable(refused.error().detail));
        QVERIFY(QFile::remove(folder + QStringLiteral("/bad\nname")));

        writeFile(folder + QStringLiteral("/log.xml"), "<log xmlns='urn:example:wrong'/>");
        refused = readStateFolder(folder);
        QVERIFY(!refused);
        QVERIFY2(refused.error().detail.contains(u"is not a packet log"), qPrintable(refused.error().detail));
        QVERIFY(QFile::remove(folder + QStringLiteral("/log.xml")));

        QVERIFY(!readStateFolder(dir.filePath(QStringLiteral("missing"))));
    }

    void sendingKeepsToItsLimits()
    {
        QTemporaryDir dir;
        for (const char *name : {"a", "b", "c"})
            writeFile(dir.filePath(QLatin1String(name)), QByteArray(100, 'x'));
        QVERIFY(readStateFolder(dir.path(), {3, 300}));
        auto refused = readStateFolder(dir.path(), {2, 1000});
        QVERIFY(!refused);
        QCOMPARE(refused.error().condition, xmpp::ErrorCondition::LimitExceeded);
        refused = readStateFolder(dir.path(), {10, 299});
        QVERIFY(!refused);
        QCOMPARE(refused.error().condition, xmpp::ErrorCondition::LimitExceeded);
    }

    void pullTargetMustBeNewOrEmpty()
    {
        QTemporaryDir dir;
        QVERIFY(checkStateFolderTarget(dir.filePath(QStringLiteral("new"))));
        QVERIFY(checkStateFolderTarget(dir.path()));
        QVERIFY(!checkStateFolderTarget(dir.filePath(QStringLiteral("no/such/parent"))));
        writeFile(dir.filePath(QStringLiteral("file")), "x");
        QVERIFY(!checkStateFolderTarget(dir.filePath(QStringLiteral("file"))));
        QVERIFY(!checkStateFolderTarget(dir.path())); // no longer empty

        // A refused write leaves what was there untouched.
        QVERIFY(!writeStateFolder(dir.path(), sampleState()));
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{QStringLiteral("file")});
    }

    void aStateThatCannotBeKeptLeavesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("back"));
        auto state = sampleState();
        state.files.insert(QStringLiteral("log.xml"), QByteArray("not the log"));
        QVERIFY(!writeStateFolder(path, state));
        QVERIFY(QDir(dir.path()).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot));
    }
};

QTEST_GUILESS_MAIN(TestStateFolder)
#include "tst_statefolder.moc"
