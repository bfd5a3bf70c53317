#include "pairuri.h"

#include <QUrl>

namespace mobility {

namespace {

// RFC 5122 section 2.3: characters that may stand unencoded in a JID part or a key value.
const QByteArray jidUnreserved = QByteArrayLiteral("!$&'()*+,;=-._~@/:");
const QByteArray valueUnreserved = QByteArrayLiteral("-._~!$'()*+,:@/");

QString encode(const QString &text, const QByteArray &allowed)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text, allowed));
}

QString decode(QStringView text)
{
    return QUrl::fromPercentEncoding(text.toUtf8());
}

} // namespace

QString PairUri::toString() const
{
    QString uri = QStringLiteral("xmpp:") + encode(jid, jidUnreserved) + QStringLiteral("?kiosk;pair=")
                  + encode(token, valueUnreserved);
    if (!name.isEmpty())
        uri += QStringLiteral(";name=") + encode(name, valueUnreserved);
    return uri;
}

std::optional<PairUri> PairUri::parse(const QString &uri)
{
    if (uri.size() > 4096 || !uri.startsWith(QStringLiteral("xmpp:"), Qt::CaseInsensitive))
        return std::nullopt;
    const QStringView rest = QStringView(uri).mid(5);
    const qsizetype query = rest.indexOf(u'?');
    if (query <= 0 || rest.startsWith(u'/'))
        return std::nullopt; // no query, or an authority component we do not use
    PairUri result;
    result.jid = decode(rest.left(query));
    const auto parts = rest.mid(query + 1).split(u';');
    if (parts.isEmpty() || parts.first() != u"kiosk")
        return std::nullopt;
    bool haveToken = false;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const qsizetype equals = parts[i].indexOf(u'=');
        if (equals <= 0)
            return std::nullopt;
        const QStringView key = parts[i].left(equals);
        const QString value = decode(parts[i].mid(equals + 1));
        if (key == u"pair") {
            result.token = value;
            haveToken = !value.isEmpty();
        } else if (key == u"name") {
            result.name = value;
        } // unknown keys are ignored, as RFC 5122 asks of unknown parameters
    }
    if (!haveToken || result.jid.isEmpty() || !result.jid.contains(u'@'))
        return std::nullopt;
    return result;
}

} // namespace mobility
