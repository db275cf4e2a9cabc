from django.urls import path

from guides import views

app_name = "guides"

# /help/<name>.md mirrors docs/<name>.md, so links between the guides work as written.
urlpatterns = [
    path("", views.index, name="index"),
    path("img/<str:name>", views.image, name="image"),
    path("<str:name>.md", views.page, name="page"),
]
