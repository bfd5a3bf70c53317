#include "kioskscreen.h"

#include "displaystatus.h"
#include "qrimageprovider.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QQmlApplicationEngine>
#include <QQuickWindow>

KioskScreen::KioskScreen(DisplayStatus &status, QObject *parent)
    : QObject(parent)
    , m_status(status)
{
}

KioskScreen::~KioskScreen() = default;

bool KioskScreen::load()
{
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_engine->addImageProvider(QStringLiteral("qr"), new QrImageProvider);
    m_engine->setInitialProperties({{QStringLiteral("display"), QVariant::fromValue(static_cast<QObject *>(&m_status))}});
    QStringList warnings;
    connect(m_engine.get(), &QQmlApplicationEngine::warnings, this, [&warnings](const QList<QQmlError> &errors) {
        for (const QQmlError &error : errors)
            warnings << error.toString();
    });
    m_engine->load(QUrl(QStringLiteral("qrc:/Kioskd/Main.qml")));
    if (!window()) {
        m_error = QStringLiteral("the screen could not be loaded: %1").arg(warnings.join(QStringLiteral("; ")));
        return false;
    }
    return true;
}

QQuickWindow *KioskScreen::window() const
{
    if (!m_engine || m_engine->rootObjects().isEmpty())
        return nullptr;
    return qobject_cast<QQuickWindow *>(m_engine->rootObjects().first());
}

bool KioskScreen::saveScreenshot(const QString &path)
{
    if (!QFileInfo(path).isAbsolute()) {
        m_error = QStringLiteral("the screenshot path must be absolute");
        return false;
    }
    QQuickWindow *view = window();
    if (!view) {
        m_error = QStringLiteral("no screen is loaded");
        return false;
    }
    const QImage image = view->grabWindow();
    if (image.isNull()) {
        m_error = QStringLiteral("the screen could not be captured");
        return false;
    }
    if (!image.save(path, "PNG")) {
        m_error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    return true;
}
